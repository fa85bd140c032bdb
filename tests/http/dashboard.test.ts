/// <reference lib="dom" />
// (page.waitForFunction bodies run in the browser: they see its document)
import { afterEach, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { start, stopStarted } from "../process.ts";

// a spawned bot is stopped whatever the test's outcome
afterEach(() => stopStarted());

// Debian's chromium (.ci/run installs it); playwright-core drives it, it never downloads a browser
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

describe("dashboard in headless Chromium", () => {
  test("a running paper bot's page shows live values and the chart; screenshot saved", async () => {
    const ledger = join(mkdtempSync(join(tmpdir(), "mmbot-dash-")), "ledger.sqlite");
    // three levels a side, so that the order list has to show every level, not only level 0
    const bot = start(["--set", "feed.speed=120", "--set", `storage.path=${ledger}`, "--set", "strategy.levels=3"]);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    try {
      await bot.waitFor("http on http://");
      const url = /http on (http:\/\/[\d.]+:\d+)/.exec(bot.out())![1];
      await bot.waitFor("FILL"); // so that the chart has a fill marker to show
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const requests: string[] = [];
      page.on("request", (r) => requests.push(r.url()));
      await page.goto(url + "/");
      await page.waitForFunction(() => document.querySelectorAll("#chart rect.candle").length > 30, null, {
        timeout: 15_000,
      });
      await page.waitForFunction(() => document.querySelectorAll("#chart .fill-marker").length > 0, null, {
        timeout: 15_000,
      });
      const mid = Number(await page.textContent("#mid"));
      expect(mid).toBeGreaterThan(2000); // ETH in May 2024
      expect(mid).toBeLessThan(4000);
      expect(await page.textContent("#symbol")).toContain("ETH/USDT");
      expect(await page.textContent("#balances")).toMatch(/base \d+\.\d{4}/);
      expect(await page.textContent("#indicators")).toMatch(/NATR \d+\.\d{4}/);
      expect(await page.locator("#chart polyline.quote-bid").count()).toBe(1);
      // the order list: side and level of each row; at some refresh all six rest (a fill takes one away for a tick)
      await page.waitForFunction(
        () => {
          const rows = [...document.querySelectorAll("#orders tr")].slice(1).map((r) =>
            [...r.querySelectorAll("td")].slice(0, 2).map((td) => td.textContent).join(" ")
          );
          return rows.join(",") === "buy 0,buy 1,buy 2,sell 0,sell 1,sell 2";
        },
        null,
        { timeout: 15_000 },
      );
      expect(await page.textContent("#levels")).toMatch(/^deeper levels: bids \d+\.\d\d, \d+\.\d\d · asks /);
      // live: the mid moves as the replay advances
      await page.waitForFunction((m) => Number(document.getElementById("mid")!.textContent) !== m, mid, {
        timeout: 15_000,
      });
      // nothing from another host
      expect(requests.every((r) => r.startsWith(url))).toBe(true);
      mkdirSync("out", { recursive: true });
      await page.screenshot({ path: "out/dashboard.png", fullPage: true });
    } finally {
      await browser.close();
      bot.child.kill("SIGTERM");
      await bot.exited;
    }
  }, 60_000);

  test("a paper perpetual's page shows its leverage, margin mode, liquidation price and funding", async () => {
    const ledger = join(mkdtempSync(join(tmpdir(), "mmbot-dash-perp-")), "ledger.sqlite");
    // the seed perp profile at 3000×: its first funding time (16:00) comes about 8 s after the start (09:46)
    const bot = start([
      "--config",
      "profiles/natr_rsi.yml",
      "--set",
      "feed.speed=3000",
      "--set",
      "market.leverage=5",
      "--set",
      `storage.path=${ledger}`,
    ]);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox"] });
    try {
      await bot.waitFor("http on http://");
      const url = /http on (http:\/\/[\d.]+:\d+)/.exec(bot.out())![1];
      await bot.waitFor(" FUNDING ", 30_000);
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      await page.goto(url + "/");
      await page.waitForSelector("#funding", { timeout: 15_000 });
      expect(await page.textContent("#position")).toContain("5x cross");
      expect(await page.textContent("#liq")).toMatch(/^(none|\d+(\.\d+)?)$/);
      expect(Number(await page.textContent("#funding"))).not.toBeNaN();
      mkdirSync("out", { recursive: true });
      await page.screenshot({ path: "out/dashboard-perp.png", fullPage: true });
    } finally {
      await browser.close();
      bot.child.kill("SIGTERM");
      await bot.exited;
    }
  }, 60_000);
});
