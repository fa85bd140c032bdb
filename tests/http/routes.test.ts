import { describe, expect, test } from "bun:test";
import { ManualClock } from "../../lib/engine/clock.ts";
import { Engine } from "../../lib/engine/engine.ts";
import { createApp } from "../../lib/http/routes.ts";
import { Metrics } from "../../lib/http/metrics.ts";
import { History } from "../../lib/http/history.ts";
import { PaperExchange } from "../../lib/venues/paper.ts";
import { ReplayFeed } from "../../lib/venues/replay-feed.ts";
import { serve } from "../../lib/http/serve.ts";
import { engineConfig, flat } from "../fixtures.ts";

const T0 = Date.UTC(2024, 0, 1);

async function setup(token?: string, protectReads = false) {
  const cfg = engineConfig();
  const clock = new ManualClock(T0 + 10 * 60_000);
  const paper = new PaperExchange(new ReplayFeed(flat(T0, 30, () => 100), 0.01), clock, cfg);
  const metrics = new Metrics();
  const exchange = metrics.instrument(paper);
  const engine = new Engine({ config: cfg, exchange, clock });
  metrics.watch(engine);
  const app = createApp({
    engine,
    metrics,
    history: new History(engine),
    version: "9.9.9",
    runtime: "bun",
    startedAt: 0,
    now: () => 42_000,
    token,
    pause: () => engine.pause("http"),
    resume: () => engine.resume(),
    protectReads,
  });
  await engine.start();
  return { app, engine, clock, exchange };
}

describe("routes", () => {
  test("/health is liveness JSON", async () => {
    const { app } = await setup();
    const res = await app.request("/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: "ok",
      version: "9.9.9",
      uptime_s: 42,
      mode: "paper",
      paused: false,
      state: "warming_up",
    });
  });

  test("/health/ready is 503 before the first tick and 200 after; stale again after two periods", async () => {
    const { app, engine, clock } = await setup();
    const before = await app.request("/health/ready");
    expect(before.status).toBe(503);
    expect((await before.json()).checks.loop).toMatchObject({ ok: false, observed: "no tick yet" });
    await engine.tick();
    const after = await app.request("/health/ready");
    expect(after.status).toBe(200);
    expect((await after.json()).ready).toBe(true);
    clock.advance(31_000); // > 2 × 15 s without a tick
    const late = await app.request("/health/ready");
    expect(late.status).toBe(503);
    expect((await late.json()).checks.loop.observed).toBe("last tick 31.0 s ago");
  });

  test("/metrics speaks Prometheus text with mm_ names and no order ids", async () => {
    const { app, engine } = await setup();
    await engine.tick();
    const res = await app.request("/metrics");
    expect(res.headers.get("content-type")).toContain("text/plain; version=0.0.4");
    const text = await res.text();
    expect(text).toContain(
      'mm_build_info{version="9.9.9",runtime="bun",mode="paper",symbol="ETH/USDT",profile="fixed"} 1',
    );
    expect(text).toContain("mm_orders_placed_total 2");
    expect(text).toContain('mm_fills_total{side="buy"} 0');
    expect(text).toContain("# TYPE mm_orders_placed_total counter");
    expect(text).toContain('mm_exchange_request_duration_seconds_count{method="place"} 2');
    expect(text).toMatch(/mm_exchange_request_duration_seconds_sum\{method="topOfBook"\} \d/);
    expect(text).toMatch(/mm_spread_bps\{side="bid"\} \d/);
    expect(text).not.toContain("mmbot-"); // client order ids never become labels
    for (const line of text.trim().split("\n").filter((l) => !l.startsWith("#"))) {
      expect(line).toMatch(/^mm_[a-z_]+(\{[^}]*\})? -?[\d.e+-]+$/);
    }
  });

  test("exchange failures are counted by kind", async () => {
    const { app, exchange } = await setup();
    // a post-only buy at the ask is rejected by the venue
    await exchange.place({ clientOrderId: "mmbot-x", side: "buy", price: 100.01, amount: 0.1 });
    expect(await (await app.request("/metrics")).text()).toContain('mm_errors_total{kind="post_only"} 1');
  });

  test("/api/status is the engine status", async () => {
    const { app, engine } = await setup();
    await engine.tick();
    const body = await (await app.request("/api/status")).json();
    expect(body).toMatchObject({ state: "quoting", mid: 100.005, symbol: "ETH/USDT" });
    expect(body.openOrders.length).toBe(2);
  });

  test("pause and resume need the bearer token", async () => {
    const { app, engine, exchange } = await setup("s3cret-token");
    await engine.tick();
    expect((await app.request("/api/pause", { method: "POST" })).status).toBe(401);
    const wrong = await app.request("/api/pause", { method: "POST", headers: { Authorization: "Bearer nope" } });
    expect(wrong.status).toBe(401);
    expect(engine.paused).toBe(false);
    const ok = await app.request("/api/pause", { method: "POST", headers: { Authorization: "Bearer s3cret-token" } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ paused: true, cancelled: 2, resting: 0 });
    expect(await exchange.openOrders("mmbot-")).toEqual([]);
    const res = await app.request("/api/resume", { method: "POST", headers: { Authorization: "Bearer s3cret-token" } });
    expect(await res.json()).toEqual({ paused: false });
    expect(engine.paused).toBe(false);
  });

  test("a pause while the venue cannot cancel: 200, paused, and says what still rests", async () => {
    const { app, engine, exchange } = await setup("s3cret-token");
    await engine.tick();
    const cancel = exchange.cancel;
    exchange.cancel = () => Promise.reject(new Error("503 Service Unavailable"));
    const res = await app.request("/api/pause", { method: "POST", headers: { Authorization: "Bearer s3cret-token" } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      paused: true,
      cancelled: 0,
      resting: 2,
      pausing: true,
      last_error: "503 Service Unavailable",
    });
    expect(engine.status()).toMatchObject({ paused: true, state: "pausing" });
    expect(engine.status().detail).toStartWith("pausing: 2 order(s) still resting, last error 503 Service Unavailable");
    exchange.cancel = cancel;
    await engine.tick(); // the next tick retries the cancels
    expect(await exchange.openOrders("mmbot-")).toEqual([]);
    expect(engine.status()).toMatchObject({ paused: true, state: "paused" });
  });

  test("off loopback the reads need the token too; /health stays open for liveness checks", async () => {
    const { app, engine } = await setup("s3cret-token", true);
    await engine.tick();
    const clientIds = engine.status().openOrders.map((o) => o.clientOrderId);
    expect(clientIds.length).toBe(2);
    const bearer = { headers: { Authorization: "Bearer s3cret-token" } };
    for (const path of ["/api/status", "/api/dashboard", "/metrics"]) {
      expect([path, (await app.request(path)).status]).toEqual([path, 401]);
      expect([path, (await app.request(path, bearer)).status]).toEqual([path, 200]);
    }
    expect((await app.request("/health")).status).toBe(200);
    // the page is a static shell: none of the bot's orders, ids or prices in it
    const html = await (await app.request("/")).text();
    for (const id of clientIds) expect(html).not.toContain(id);
    expect(html).not.toContain("100.005");
    expect(await (await app.request("/api/status", bearer)).text()).toContain(clientIds[0]);
  });

  test("without HTTP_TOKEN nothing can change state", async () => {
    const { app, engine } = await setup();
    const res = await app.request("/api/pause", { method: "POST", headers: { Authorization: "Bearer anything" } });
    expect(res.status).toBe(401);
    expect(engine.paused).toBe(false);
  });
});

describe("dashboard", () => {
  test("/ is a self-contained page: nothing loaded from another host", async () => {
    const { app } = await setup();
    const res = await app.request("/");
    expect(res.headers.get("content-type")).toContain("text/html");
    const html = await res.text();
    expect(html).toContain('<svg id="chart"');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  test("/api/dashboard carries status, candles, our quotes and fills", async () => {
    const { app, engine, clock } = await setup();
    await engine.tick();
    clock.advance(15_000);
    await engine.tick();
    const d = await (await app.request("/api/dashboard")).json();
    expect(d.status.state).toBe("quoting");
    expect(d.candles.length).toBe(10); // the closed candles so far
    expect(d.quotes.map((q: { bid: number; ask: number }) => [q.bid, q.ask])).toEqual([[99.9, 100.11], [99.9, 100.11]]);
    expect(d.fills).toEqual([]);
  });
});

describe("a real socket", () => {
  test("serves /health on 127.0.0.1", async () => {
    const { app } = await setup();
    const server = serve(app.fetch, { hostname: "127.0.0.1", port: 0 });
    try {
      const res = await fetch(`http://127.0.0.1:${server.port}/health`);
      expect(res.status).toBe(200);
      expect((await res.json()).status).toBe("ok");
    } finally {
      await server.close();
    }
  });
});
