/**
 * Funding rate files for perpetual backtests (`--funding CSV`): columns `ts,rate`, ts = the funding time in ms
 * since epoch (UTC), rate = the rate for that funding period (0.0001 = 0.01 %), as Binance publishes them.
 */
import { FUNDING_INTERVAL_MS } from "../core/funding.ts";
import { DataError, readDataFile } from "./candles.ts";

export const FUNDING_HEADER = "ts,rate";

export interface FundingRate {
  ts: number;
  rate: number;
}

/** Parses `ts,rate` rows; throws DataError naming the file, line and problem. */
export function parseFundingCsv(text: string, source: string): FundingRate[] {
  const lines = text.split("\n");
  const header = lines[0]?.trim().replace(/^\uFEFF/, "");
  if (header !== FUNDING_HEADER) {
    throw new DataError(`${source}:1: expected the header "${FUNDING_HEADER}", got ${JSON.stringify(header ?? "")}`);
  }
  const rows: FundingRate[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "") continue;
    const where = `${source}:${i + 1}`;
    const cells = line.split(",");
    if (cells.length !== 2) {
      throw new DataError(`${where}: expected 2 columns (${FUNDING_HEADER}), got ${cells.length}`);
    }
    const [ts, rate] = cells.map((c) => (c.trim() === "" ? NaN : Number(c)));
    if (!Number.isInteger(ts) || ts % FUNDING_INTERVAL_MS !== 0) {
      throw new DataError(`${where}: ts ${cells[0].trim()} is not a funding time (00:00, 08:00 or 16:00 UTC in ms)`);
    }
    // Binance caps USDT-M funding far below 5 % a period; more is a unit mistake (percent instead of a fraction)
    if (!Number.isFinite(rate) || Math.abs(rate) > 0.05) {
      throw new DataError(`${where}: rate ${JSON.stringify(cells[1].trim())} is not a rate between -0.05 and 0.05`);
    }
    if (rows.length && ts <= rows[rows.length - 1].ts) {
      throw new DataError(`${where}: ts ${ts} is not after the previous row's; rows must be sorted and unique`);
    }
    rows.push({ ts, rate });
  }
  if (!rows.length) throw new DataError(`${source}: no funding rates`);
  return rows;
}

/** Reads a funding CSV; throws DataError. */
export function loadFundingFile(path: string): FundingRate[] {
  return parseFundingCsv(readDataFile(path, "funding file"), path);
}
