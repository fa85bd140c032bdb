/**
 * The benchmarks' market data, bundled gzipped in bench/data/ (real Binance 1m candles, see its README) and
 * unpacked once per machine into the temporary folder, so the figures time our CSV as a user has it.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { DESIGN_SEED } from "../tests/fixtures.ts";

/** The spot ETH/USDT month the backtest core and the paper run use (a busy book: the bot quotes every tick). */
export const MONTH = "binance_spot_ETHUSDT_1m_20240726_20240825.csv";
/** 35 days of spot ETH/USDT for the backtest command. */
export const DAYS_35 = "binance_spot_ETHUSDT_1m_20240501_20240604.csv";

/** The plain CSV of a bundled file (unpacked on first use). */
export function benchCsv(name: string): string {
  const dir = join(os.tmpdir(), "mmbot-bench-data");
  const path = join(dir, name);
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true });
    const gz = new URL(`./data/${name}.gz`, import.meta.url).pathname;
    writeFileSync(`${path}.tmp`, gunzipSync(readFileSync(gz)));
    renameSync(`${path}.tmp`, path);
  }
  return path;
}

// The seed parameters (the shipped defaults until `optimize` chose wider ones, which fill about 15 times less): the
// same work as the figures of earlier sessions, and a busy book (2,546 fills on this month).
export const SEED = [
  ...DESIGN_SEED,
  "strategy.fee_floor=false",
  "strategy.levels=1", // one level a side, as before natr_macd shipped three: the same workload as earlier figures
];
