import { afterEach, describe, expect, test } from "bun:test";
import { start, stopStarted } from "../process.ts";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// a spawned bot is stopped whatever the test's outcome
afterEach(() => stopStarted());

describe("the default run", () => {
  test("paper trades the bundled data offline, one line per tick, and SIGTERM cancels orders and exits 0", async () => {
    const ledger = join(mkdtempSync(join(tmpdir(), "mmbot-run-")), "ledger.sqlite");
    const bot = start(["--set", "feed.speed=300", "--set", `storage.path=${ledger}`]);
    await bot.waitFor("| bid ");
    await bot.waitFor("FILL"); // at 300× a fill comes within a few seconds on this data
    bot.child.kill("SIGTERM");
    expect(await bot.exited).toBe(0);
    const out = bot.out();
    expect(out).toContain("paper trading ETH/USDT (spot), profile natr_macd");
    // the start-up line says plainly what the shipped parameters earned on the development data
    expect(out).toContain("edge: shipped natr_macd parameters: no reliable edge on the development data");
    expect(out).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d mid \d+\.\d\d \| bid \d+\.\d\d \(\d+\.\d bp\) ask/);
    expect(out).toContain("SIGTERM received, cancelling orders and stopping");
    expect(out).toMatch(/stopped; cancelled [12] order\(s\); balances \d+(\.\d{1,4})? ETH, \d+\.\d\d USDT;/);
    // a quiet console: no dependency's deprecation (grammY is not even loaded without a token)
    expect(bot.err()).not.toContain("DeprecationWarning");
  }, 30_000);

  test("when the data file ends it says so and stops cleanly", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mmbot-run-"));
    const csv = readFileSync("data/binance_spot_ETHUSDT_1m_sample.csv", "utf8").split("\n").slice(0, 61).join("\n");
    const path = join(dir, "hour.csv");
    writeFileSync(path, csv);
    const bot = start([
      "--set",
      `feed.path=${path}`,
      "--set",
      "feed.speed=100000",
      "--set",
      `storage.path=${join(dir, "ledger.sqlite")}`,
    ]);
    expect(await bot.exited).toBe(0);
    expect(bot.out()).toContain("the replay data ended at");
    expect(bot.out()).toContain("mmbot: stopped; cancelled");
  }, 30_000);

  test("a malformed data file stops the bot with the line number", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mmbot-run-"));
    const path = join(dir, "bad.csv");
    writeFileSync(path, "ts,open,high,low,close,volume\n0,1,1,1,1,1\n60000,1,1,1\n");
    const bot = start(["--set", `feed.path=${path}`, "--set", `storage.path=${join(dir, "ledger.sqlite")}`]);
    expect(await bot.exited).toBe(2);
    expect(bot.err()).toContain(`${path}:3: expected 6 columns`);
  }, 30_000);

  test("on a non-loopback address every read needs HTTP_TOKEN; /health stays open", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mmbot-run-"));
    const bot = start(["--set", "http.host=0.0.0.0", "--set", `storage.path=${join(dir, "ledger.sqlite")}`], {
      HTTP_TOKEN: "s3cret-token-for-test",
    });
    await bot.waitFor("| bid ");
    const port = /http on http:\/\/0\.0\.0\.0:(\d+)/.exec(bot.out())![1];
    const url = (path: string) => `http://127.0.0.1:${port}${path}`;
    const auth = { headers: { Authorization: "Bearer s3cret-token-for-test" } };
    for (const path of ["/api/status", "/api/dashboard", "/metrics"]) {
      expect([path, (await fetch(url(path))).status]).toEqual([path, 401]);
      expect([path, (await fetch(url(path), auth)).status]).toEqual([path, 200]);
    }
    expect((await fetch(url("/health"))).status).toBe(200);
    bot.child.kill("SIGTERM");
    expect(await bot.exited).toBe(0);
  }, 30_000);

  test("binding a non-loopback address without HTTP_TOKEN is refused before anything starts", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mmbot-run-"));
    const bot = start(["--set", "http.host=0.0.0.0", "--set", `storage.path=${join(dir, "ledger.sqlite")}`]);
    expect(await bot.exited).toBe(2);
    expect(bot.err()).toContain('http.host: "0.0.0.0" is not allowed without HTTP_TOKEN');
    expect(bot.out()).not.toContain("paper trading");
  }, 30_000);
});
