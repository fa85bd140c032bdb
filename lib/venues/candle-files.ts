/**
 * Candle files as users have them: our CSV, the same gzipped (`.csv.gz`), and Binance's public kline dumps as
 * published (`.csv` or `.zip`); several files of one market joined in time order, their overlaps and gaps named.
 * Parsing itself is candles.ts' (one hot loop for every format); this module only finds the text and joins.
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { gunzipSync } from "node:zlib";
import { createRequire } from "node:module";
import { type Candle, CANDLE_MS } from "../core/types.ts";
import { isoMinute } from "../core/format.ts";
import { CSV_HEADER, DataError, parseBinanceKlinesColumns, parseCandleCsvColumns } from "./candles.ts";
import { CandleColumns } from "../core/candle-columns.ts";
import { readCache, type SourceStamp, stampOf, writeCache } from "./candle-cache.ts";

/**
 * fflate (zip), loaded only when a .zip is read: a plain CSV, the common case of every backtest, should not pay for
 * it (~4 MB of peak RSS in the `backtest` command on Deno). Synchronous like the rest of the loader, so through
 * require rather than import().
 */
const unzipSync: typeof import("fflate").unzipSync = (data, opts) =>
  (createRequire(import.meta.url)("fflate") as typeof import("fflate")).unzipSync(data, opts);

/** Candles joined from one or more files, and what a reader should know about them (overlaps, gaps). */
export interface CandleData {
  candles: Candle[];
  /** one sentence each: files that overlap (the shared minutes agree), gaps between candles */
  notes: string[];
}

/** The candles of one file in any of the accepted formats; throws DataError naming the file. */
export function readCandleFile(path: string, opts: ReadOptions = {}): Candle[] {
  return readCandleColumns(path, opts).candles();
}

export interface ReadOptions {
  /** keep the parsed candles beside the file and read them from there next time (candle-cache.ts) */
  cache?: boolean;
}

/** The candles of one file as columns: from its cache when asked and current, else parsed (and cached when asked). */
export function readCandleColumns(path: string, opts: ReadOptions = {}): CandleColumns {
  let stamp: SourceStamp | null = null;
  if (opts.cache) {
    try {
      stamp = stampOf(path);
    } catch { /* unreadable: parsing says why */ }
    const cached = stamp && readCache(path, stamp);
    if (cached) return cached;
  }
  const columns = parseCandleFile(path);
  if (stamp) writeCache(path, stamp, columns); // false (a read-only folder): no cache, nothing else changes
  return columns;
}

function parseCandleFile(path: string): CandleColumns {
  const compressed = /\.(zip|gz)$/i.test(path);
  let content: string | Uint8Array;
  try {
    // a plain CSV is read straight into a string: no byte copy held beside it (the backtest command's peak RSS)
    content = compressed ? readFileSync(path) : readFileSync(path, "utf8");
  } catch (e) {
    throw new DataError(`${path}: cannot read the candle file: ${(e as Error).message}`);
  }
  if (typeof content === "string") return parseCandleTextColumns(content, path);
  if (/\.zip$/i.test(path)) {
    let entries: Record<string, Uint8Array>;
    try {
      entries = unzipSync(content, { filter: (f) => /\.csv$/i.test(f.name) });
    } catch (e) {
      throw new DataError(`${path}: not a readable zip file (${(e as Error).message})`);
    }
    const names = Object.keys(entries);
    if (names.length !== 1) {
      throw new DataError(
        `${path}: expected one .csv inside the zip (as Binance publishes them), found ${names.length}`,
      );
    }
    return parseCandleTextColumns(new TextDecoder().decode(entries[names[0]]), `${path}:${names[0]}`);
  }
  let text: string;
  try {
    text = new TextDecoder().decode(gunzipSync(content));
  } catch (e) {
    throw new DataError(`${path}: not a readable gzip file (${(e as Error).message})`);
  }
  return parseCandleTextColumns(text, path);
}

/** Our CSV when the first line is our header; Binance's dump when it starts with a number or `open_time`. */
export function parseCandleText(text: string, source: string): Candle[] {
  return parseCandleTextColumns(text, source).candles();
}

function parseCandleTextColumns(text: string, source: string): CandleColumns {
  const first = text.slice(0, 200).replace(/^\uFEFF/, "");
  if (!first.startsWith(CSV_HEADER) && /^(\d|open_time,)/.test(first)) return parseBinanceKlinesColumns(text, source);
  return parseCandleCsvColumns(text, source);
}

/** Gaps listed one by one up to this many; the rest are counted. */
const GAPS_LISTED = 5;

/**
 * The candles of several files of one market, in any order: sorted by their first minute and joined. Minutes two
 * files share must agree (a monthly dump and a daily one of the same days do); a disagreement is a DataError naming
 * both files and the minute. Gaps stay gaps (never filled) and are named in `notes`.
 */
export function readCandleFiles(paths: string[]): CandleData {
  // in time order, whatever the order given: the earlier file's candle is the one kept of a shared minute
  const parts = paths.map((path) => ({ path, candles: readCandleFile(path) }))
    .sort((a, b) => a.candles[0].ts - b.candles[0].ts);
  if (parts.length === 1) return { candles: parts[0].candles, notes: gapNotes(parts[0].candles) };
  const tagged: { c: Candle; part: number }[] = [];
  parts.forEach((p, part) => p.candles.forEach((c) => tagged.push({ c, part })));
  tagged.sort((a, b) => a.c.ts - b.c.ts || a.part - b.part);
  const candles: Candle[] = [];
  const overlaps = new Map<string, { minutes: number; from: number }>();
  let prev: { c: Candle; part: number } | null = null;
  for (const t of tagged) {
    if (prev && prev.c.ts === t.c.ts) {
      const [a, b] = [prev.c, t.c];
      if (a.open !== b.open || a.high !== b.high || a.low !== b.low || a.close !== b.close) {
        throw new DataError(
          `${parts[t.part].path} and ${parts[prev.part].path} disagree on the candle of ${isoMinute(a.ts)} UTC (${
            [b.open, b.high, b.low, b.close].join("/")
          } vs ${[a.open, a.high, a.low, a.close].join("/")}); give files of one market`,
        );
      }
      const key = `${basename(parts[prev.part].path)} and ${basename(parts[t.part].path)}`;
      const o = overlaps.get(key) ?? { minutes: 0, from: a.ts };
      o.minutes++;
      overlaps.set(key, o);
      continue; // kept once: the first file's (they agree)
    }
    candles.push(t.c);
    prev = t;
  }
  const notes = [...overlaps].map(([files, o]) =>
    `${files} overlap on ${o.minutes} minute(s) from ${isoMinute(o.from)} UTC; the candles agree and are kept once`
  );
  return { candles, notes: [...notes, ...gapNotes(candles)] };
}

/**
 * The `backtest` command's data: one file as columns (from its cache when `opts.cache`), several joined as
 * readCandleFiles joins them.
 */
export function readCandleData(paths: string[], opts: ReadOptions = {}): { columns: CandleColumns; notes: string[] } {
  if (paths.length !== 1) {
    const data = readCandleFiles(paths);
    return { columns: CandleColumns.of(data.candles), notes: data.notes };
  }
  const columns = readCandleColumns(paths[0], opts);
  return { columns, notes: gapNotes(columns) };
}

/** Missing minutes between consecutive candles, as sentences: where, and how long. */
export function gapNotes(candles: readonly Candle[] | CandleColumns): string[] {
  const gaps: { from: number; minutes: number }[] = [];
  const tsAt = candles instanceof CandleColumns ? (i: number) => candles.ts[i] : (i: number) => candles[i].ts;
  for (let i = 1; i < candles.length; i++) {
    const missing = (tsAt(i) - tsAt(i - 1)) / CANDLE_MS - 1;
    if (missing > 0) gaps.push({ from: tsAt(i - 1) + CANDLE_MS, minutes: missing });
  }
  if (!gaps.length) return [];
  const total = gaps.reduce((s, g) => s + g.minutes, 0);
  const listed = gaps.slice(0, GAPS_LISTED).map((g) =>
    `${isoMinute(g.from)} → ${isoMinute(g.from + (g.minutes - 1) * CANDLE_MS)} UTC (${g.minutes} min)`
  );
  const more = gaps.length > GAPS_LISTED ? `, and ${gaps.length - GAPS_LISTED} more` : "";
  return [`${gaps.length} gap(s) in the candles, ${total} minute(s) missing in all: ${listed.join(", ")}${more}`];
}
