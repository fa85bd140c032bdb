/** The fee floor's warning at start, as the console of a real run prints it. */
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { start, stopStarted } from "../process.ts";

// a spawned bot is stopped whatever the test's outcome
afterEach(() => stopStarted());

describe("fee floor warning at start", () => {
  test.each([
    ["on", [] as string[], "quotes are held 10 bps from mid by the fee floor", "mmbot: fee floor: at NATR"],
    [
      "off",
      ["--set", "strategy.fee_floor=false"],
      "strategy.fee_floor is off, so a round trip",
      "mmbot: warning: fee floor",
    ],
  ])(
    "floor %s: the first tick says the spreads sit under the 10 bps fee",
    async (_name: string, extra: string[], says: string, prefix: string) => {
      const ledger = join(mkdtempSync(join(tmpdir(), "mmbot-floor-")), "ledger.sqlite");
      // seed multipliers 120 / 60 (tests/process.ts) at the sample's NATR of about 0.07 %: bid ~8.5, ask ~4.3 bps
      const bot = start(["--set", "feed.speed=60", "--set", `storage.path=${ledger}`, ...extra]);
      await bot.waitFor("| bid ");
      bot.child.kill("SIGTERM");
      expect(await bot.exited).toBe(0);
      // a warning only when round trips lose money; with the floor on the line says what the floor does
      const warnings = bot.out().split("\n").filter((l) => l.startsWith(prefix));
      expect(warnings).toHaveLength(1); // once, not every tick
      expect(warnings[0]).toMatch(
        /the configured bid spread \d+\.\d bps and ask spread \d+\.\d bps are under the maker fee of 10 bps/,
      );
      expect(warnings[0]).toContain(says);
      // with the floor on, the quotes printed sit 10 bps or more from mid
      if (extra.length === 0) {
        for (const m of bot.out().matchAll(/\((\d+\.\d) bp\)/g)) expect(Number(m[1])).toBeGreaterThanOrEqual(10);
      }
    },
    30_000,
  );
});
