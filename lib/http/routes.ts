/** HTTP (Hono): liveness, readiness, Prometheus metrics, status JSON and pause/resume. */
import { Hono } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import type { Engine } from "../engine/engine.ts";
import type { PullResult } from "../engine/desk.ts";
import { within } from "../core/sleep.ts";
import { PAUSE_ANSWER_MS } from "../engine/pause-answer.ts";
import { type Metrics, renderMetrics } from "./metrics.ts";
import { DASHBOARD_HTML } from "./dashboard.ts";
import type { History } from "./history.ts";

export interface HttpDeps {
  engine: Engine;
  metrics: Metrics;
  history: History;
  version: string;
  runtime: string;
  /** wall-clock start, ms */
  startedAt: number;
  /** HTTP_TOKEN; without it, state-changing routes always answer 401 */
  token?: string;
  /** persist and apply a pause / resume (the ledger is the source of truth); pause never throws */
  pause(): Promise<PullResult>;
  resume(): void;
  /** not on loopback: reads (/api/*, /metrics) need the token too; the dashboard page is a static shell */
  protectReads?: boolean;
  /** wall clock, for uptime */
  now?: () => number;
}

export function createApp(d: HttpDeps): Hono {
  const app = new Hono();
  const now = d.now ?? Date.now;

  const auth = d.token
    ? bearerAuth({ token: d.token })
    : bearerAuth({ verifyToken: () => false, invalidTokenMessage: "HTTP_TOKEN is not set on the bot" });
  if (d.protectReads) {
    app.use("/api/*", auth);
    app.use("/metrics", auth);
  }

  app.get("/health", (c) => {
    const s = d.engine.status();
    return c.json({
      status: "ok",
      version: d.version,
      uptime_s: Math.round((now() - d.startedAt) / 1000),
      mode: s.mode,
      paused: s.paused,
      state: s.state,
    });
  });

  app.get("/health/ready", (c) => {
    const s = d.engine.status();
    const cfg = d.engine.config;
    const tickAgeS = s.lastTickTs === null ? null : (s.ts - s.lastTickTs) / 1000;
    const bookAgeS = s.topOfBook === null ? null : (s.ts - s.topOfBook.ts) / 1000;
    const checks = {
      loop: {
        ok: tickAgeS !== null && tickAgeS <= 2 * cfg.strategy.refresh_s,
        observed: tickAgeS === null ? "no tick yet" : `last tick ${tickAgeS.toFixed(1)} s ago`,
        limit: `${2 * cfg.strategy.refresh_s} s`,
      },
      market_data: {
        ok: bookAgeS !== null && bookAgeS <= cfg.risk.max_book_age_s,
        observed: bookAgeS === null ? "no order book yet" : `order book ${bookAgeS.toFixed(1)} s old`,
        limit: `${cfg.risk.max_book_age_s} s`,
      },
      exchange: {
        ok: s.consecutiveErrors === 0,
        observed: s.consecutiveErrors === 0 ? "answering" : `${s.consecutiveErrors} failed ticks: ${s.lastError}`,
        limit: "0 failed ticks",
      },
    };
    const ready = Object.values(checks).every((x) => x.ok);
    return c.json({ ready, checks }, ready ? 200 : 503);
  });

  app.get("/metrics", (c) => {
    const body = renderMetrics(d.metrics, d.engine.status(), { version: d.version, runtime: d.runtime });
    return c.body(body, 200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" });
  });

  app.get("/api/status", (c) => c.json(d.engine.status()));

  app.get("/", (c) => c.html(DASHBOARD_HTML));
  app.get("/api/dashboard", (c) =>
    c.json({
      status: d.engine.status(),
      candles: d.engine.recentCandles().slice(-120),
      quotes: d.history.quotes.slice(-480),
      fills: d.history.fills.slice(-100),
    }));

  app.post("/api/pause", auth, async (c) => {
    // durable before it acts: paused even when the venue is down; what still rests is retried every tick. The answer
    // does not wait for a venue that hangs: past PAUSE_ANSWER_MS it says the pause is recorded and the pull goes on
    const cancelling = d.engine.status().openOrders.length;
    const r = await within(PAUSE_ANSWER_MS, d.pause(), () => null);
    if (r === null) {
      return c.json({
        paused: true,
        pausing: true,
        cancelling,
        detail: `pause recorded, cancelling ${cancelling} order(s)`,
      });
    }
    return c.json({
      paused: true,
      cancelled: r.cancelled,
      resting: r.resting.length,
      ...(r.resting.length || !r.confirmed ? { pausing: true, last_error: r.error } : {}),
    });
  });
  app.post("/api/resume", auth, (c) => {
    try {
      d.resume();
    } catch (e) {
      return c.json({ paused: true, error: `resume not recorded, still paused: ${(e as Error).message}` }, 503);
    }
    return c.json({ paused: false });
  });
  return app;
}
