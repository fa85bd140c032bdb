/** Every bad input is a clean exit 2 with one line, and nothing is created on disk before config and data are accepted. */
import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const mmbot = (args: string[]) =>
  spawnSync("deno", ["run", "-P", "mod.ts", ...args], {
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, TELEGRAM_BOT_TOKEN: "" },
  });

/** Exit 2, one problem line after the heading (or one line alone), no stack trace, nothing on stdout that traded. */
function cleanRefusal(r: ReturnType<typeof mmbot>, line: string) {
  expect(r.error).toBeUndefined();
  expect({ status: r.status, stderr: r.stderr }).toMatchObject({ status: 2 });
  expect(r.stderr).toContain(line);
  // one line, whatever was wrong (beside Deno's own notice about -P, which only its -q hides)
  expect(r.stderr.trim().split("\n").filter((l) => !l.includes("Permissions in the config file")), r.stderr)
    .toHaveLength(1);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stdout).not.toContain("| bid ");
}

describe("bad input: exit 2, one line, nothing created", () => {
  const dir = () => mkdtempSync(join(tmpdir(), "mmbot-bad-"));

  test("backtest on fewer candles than the indicators need: one line, no stack trace", () => {
    const d = dir();
    try {
      const csv = join(d, "short.csv");
      writeFileSync(
        csv,
        readFileSync("data/binance_spot_ETHUSDT_1m_sample.csv", "utf8").split("\n").slice(0, 21).join("\n"),
      );
      const r = mmbot(["backtest", "--data", csv]);
      cleanRefusal(r, "mmbot: bad data: backtest: 20 candles are not enough; the indicators alone need 34");
      expect(r.stderr.trim().split("\n").filter((l) => !l.includes("Warning"))).toHaveLength(1);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  test("a bad candle path: refused, and no ledger (nor its directory, nor a lock) was created", () => {
    const d = dir();
    try {
      const ledger = join(d, "new", "ledger.sqlite");
      const r = mmbot(["--set", `storage.path=${ledger}`, "--set", `feed.path=${join(d, "missing.csv")}`]);
      cleanRefusal(r, "mmbot: bad data:");
      expect(existsSync(join(d, "new"))).toBe(false);
      expect(readdirSync(d)).toEqual([]);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  test("too few candles to replay: refused before the ledger exists", () => {
    const d = dir();
    try {
      const csv = join(d, "short.csv");
      writeFileSync(
        csv,
        readFileSync("data/binance_spot_ETHUSDT_1m_sample.csv", "utf8").split("\n").slice(0, 11).join("\n"),
      );
      const r = mmbot(["--set", `storage.path=${join(d, "ledger.sqlite")}`, "--set", `feed.path=${csv}`]);
      cleanRefusal(r, "10 candles are not enough; the indicators alone need 34");
      expect(readdirSync(d)).toEqual(["short.csv"]);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  test("a config of 300,000 keys is refused at once (it used to spin past 120 s), an order_amount of 1e-320 and 0x10 too", () => {
    const d = dir();
    try {
      const big = join(d, "big.yml");
      writeFileSync(big, Array.from({ length: 300_000 }, (_, i) => `k${i}: ${i}`).join("\n"));
      cleanRefusal(mmbot(["--config", big]), "is too large for a configuration");
      const tiny = join(d, "tiny.yml");
      writeFileSync(tiny, "strategy:\n  order_amount: 1e-320\n");
      cleanRefusal(
        mmbot(["--config", tiny]),
        "strategy.order_amount: 1e-320 is not allowed; too small to compute with",
      );
      cleanRefusal(mmbot(["--set", "strategy.order_amount=0x10"]), 'strategy.order_amount: "0x10" is not allowed');
      expect(readdirSync(d).sort()).toEqual(["big.yml", "tiny.yml"]);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
