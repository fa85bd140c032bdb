/**
 * The operator's controls during an exchange outage, end to end: `deno run -P mod.ts` in live mode
 * against the fake Binance answering every call with 503 — the failures issue 12 reported: a CLI pause
 * that crashed the bot and left orders resting, a SIGTERM that gave up after 4 s and exited 1.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { API_KEY, API_SECRET, FakeBinance, FAULT_ROUTES } from "../fakes/binance.ts";
import { start, stopStarted } from "../process.ts";
import { until } from "../fixtures.ts";

// a spawned bot is stopped whatever the test's outcome
afterEach(() => stopStarted());

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A live spot bot ticking every second against a fresh fake, with its own ledger. */
async function liveBot(...sets: string[]) {
  const fake = new FakeBinance("spot").start();
  const dir = mkdtempSync(join(tmpdir(), "mmbot-outage-"));
  cleanups.push(() => fake.stop(), () => rmSync(dir, { recursive: true, force: true }));
  const ledger = join(dir, "ledger.sqlite");
  const args = [
    "mode=live",
    "feed.source=live",
    "market.sandbox=false",
    `market.rest_url=${fake.url}`,
    "strategy.profile=fixed",
    "strategy.refresh_s=1",
    `storage.path=${ledger}`,
    ...sets,
  ];
  const bot = start(args.flatMap((s) => ["--set", s]), { EXCHANGE_API_KEY: API_KEY, EXCHANGE_API_SECRET: API_SECRET });
  cleanups.push(() => void bot.child.kill("SIGKILL"));
  await bot.waitFor("| bid ", 30_000);
  expect(fake.open().length).toBe(2);
  const outage = (on: boolean) =>
    fake.faults = on ? { rate: 1, kinds: ["unavailable"], routes: FAULT_ROUTES, seed: 12 } : null;
  return { fake, bot, ledger, outage };
}

describe("controls during an outage (mod.ts against a fake Binance failing every call)", () => {
  test(
    "`mmbot pause` during an outage: the bot keeps running, says what still rests, cancels when the venue is back, stays paused",
    async () => {
      const { fake, bot, ledger, outage } = await liveBot();
      outage(true);
      const cli = spawnSync("deno", ["run", "-P", "mod.ts", "pause", "--set", `storage.path=${ledger}`], {
        encoding: "utf8",
        timeout: 60_000,
      });
      expect(cli.status).toBe(0);
      await bot.waitFor("pausing: 2 order(s) still resting, last error ", 60_000);
      expect(fake.open().length).toBe(2); // the venue is down: they rest, and the bot says so
      const outageEndedAt = Date.now();
      outage(false);
      await until(() => fake.open().length === 0, "our orders cancelled after the outage", 30_000);
      const cancelledWithinMs = Date.now() - outageEndedAt;
      expect(cancelledWithinMs).toBeLessThan(20_000);
      const placedBefore = fake.calls("POST /api/v3/order").length;
      const ticks = () =>
        bot.out().split("\n").filter((l) => l.includes("| paused: paused from the command line")).length;
      const seen = ticks();
      await until(() => ticks() >= seen + 5, "five more paused ticks", 30_000);
      expect(fake.calls("POST /api/v3/order").length).toBe(placedBefore); // the pause held: nothing placed again
      bot.child.kill("SIGTERM");
      expect(await bot.exited).toBe(0);
    },
    120_000,
  );

  test(
    "SIGTERM during an outage that outlasts risk.shutdown_timeout_s: exit 3, the resting orders listed",
    async () => {
      const { fake, bot, outage } = await liveBot("risk.shutdown_timeout_s=3");
      const ids = fake.open().map((o) => o.clientOrderId).sort();
      outage(true);
      const t0 = Date.now();
      bot.child.kill("SIGTERM");
      expect(await bot.exited).toBe(3);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(3_000); // it kept trying for the whole timeout
      for (const id of ids) expect(bot.err()).toContain(id);
      expect(bot.err()).toContain("cancel them by hand");
      expect(bot.err()).not.toContain("    at "); // no stack trace
      expect(fake.open().map((o) => o.clientOrderId).sort()).toEqual(ids); // what it listed is what rests
    },
    60_000,
  );

  test(
    "SIGTERM while every call hangs: the stop is bounded from the signal (timeout + 15 s grace), exit 3",
    async () => {
      const { fake, bot } = await liveBot("risk.shutdown_timeout_s=2");
      const ids = fake.open().map((o) => o.clientOrderId).sort();
      // every reply comes a minute late: ccxt times out after 10 s and retries, a tick in flight takes minutes
      const before = fake.requests.length;
      fake.faults = { rate: 1, kinds: ["slow"], routes: FAULT_ROUTES, seed: 7, slowMs: 60_000 };
      await until(() => fake.requests.length > before, "a tick's call hanging at the venue", 30_000);
      const t0 = Date.now();
      bot.child.kill("SIGTERM");
      expect(await bot.exited).toBe(3);
      const tookMs = Date.now() - t0;
      expect(tookMs).toBeLessThan(2_000 + 15_000 + 3_000);
      for (const id of ids) expect(bot.err()).toContain(id); // the last known orders, reported as unconfirmed
      expect(bot.err()).toContain("could not confirm");
    },
    120_000,
  );

  test("SIGTERM during an outage that ends within the timeout: every order cancelled, exit 0", async () => {
    const { fake, bot, outage } = await liveBot("risk.shutdown_timeout_s=30");
    outage(true);
    bot.child.kill("SIGTERM");
    await bot.waitFor("SIGTERM received");
    setTimeout(() => outage(false), 3_000); // the venue comes back while the bot is still trying
    expect(await bot.exited).toBe(0);
    expect(fake.open()).toEqual([]);
    expect(bot.out()).toMatch(/mmbot: stopped; cancelled 2 order\(s\)/);
  }, 60_000);
});
