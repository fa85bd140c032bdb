import { afterEach, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { start, stopStarted } from "../process.ts";

// a spawned bot is stopped whatever the test's outcome
afterEach(() => stopStarted());

/** Prometheus' own linter (Debian's `prometheus` package; .ci/run installs it). */
const PROMTOOL = process.env.PROMTOOL ?? "promtool";

describe("/metrics under Prometheus' promtool", () => {
  test("the running bot's /metrics passes `promtool check metrics` with nothing to say", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mmbot-prom-"));
    const bot = start(["--set", "feed.speed=300", "--set", `storage.path=${join(dir, "ledger.sqlite")}`]);
    try {
      await bot.waitFor("FILL"); // counters with values, indicators warmed up, MACD present (natr_macd)
      const port = /http on http:\/\/127\.0\.0\.1:(\d+)/.exec(bot.out())![1];
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(text).toContain("mm_macd_hist "); // the profile's indicator is there to be linted
      expect(text).toMatch(/mm_fills_total\{side="(buy|sell)"\} [1-9]/);
      // the process figures under Prometheus' standard names, linted with the rest
      for (const name of ["process_resident_memory_bytes", "process_cpu_seconds_total", "process_start_time_seconds"]) {
        expect(text).toMatch(new RegExp(`\n${name} [0-9.e+]+\n`));
      }
      const rss = Number(/\nprocess_resident_memory_bytes (\S+)\n/.exec(text)![1]);
      expect(rss).toBeGreaterThan(10 * 1048576);
      expect(rss).toBeLessThan(400 * 1048576);
      expect(text).toMatch(/\nnodejs_eventloop_lag_seconds [0-9.e-]+\n/);
      const lint = spawnSync(PROMTOOL, ["check", "metrics"], { input: text, encoding: "utf8", timeout: 60_000 });
      expect(lint.error).toBeUndefined();
      expect({ status: lint.status, problems: (lint.stdout + lint.stderr).trim() }).toEqual({
        status: 0,
        problems: "",
      });
    } finally {
      bot.child.kill("SIGTERM");
      await bot.exited;
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  test("promtool is real: it rejects the old name mm_macd_histogram", () => {
    const text = "# HELP mm_macd_histogram MACD histogram.\n# TYPE mm_macd_histogram gauge\nmm_macd_histogram 0.5\n";
    const lint = spawnSync(PROMTOOL, ["check", "metrics"], { input: text, encoding: "utf8", timeout: 60_000 });
    expect(lint.status).not.toBe(0);
    expect(lint.stdout + lint.stderr).toContain("should not include type 'histogram'");
  });
});
