/**
 * The configured market's history on disk: which month files of `data/<exchange>/<SYMBOL>/` a time range needs,
 * which are missing, and a ccxt downloader for them checked against the venue (it has 1m candles, it lists the
 * symbol) before anything is written. Shared by `download` and by `backtest` / `optimize --symbol`.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import type { Candle } from "../core/types.ts";
import { CSV_HEADER, DataError } from "../venues/candles.ts";
import { basename, dirname } from "node:path";
import { gapNotes, readCandleFiles } from "../venues/candle-files.ts";
import { FUNDING_HEADER, type FundingRate, parseFundingCsv } from "../venues/funding-file.ts";
import type { Config } from "../config/schema.ts";
import { ConfigError } from "../config/validate.ts";
import { isoMinute } from "../core/format.ts";
import { candleMonthFile, DATA_ROOT, fundingMonthFile, marketFolder, monthsOf } from "../venues/data-folder.ts";
import { Downloader, type DownloadRequest, type DownloadResult } from "../venues/download.ts";
import { createVenue, loadCcxt } from "../venues/ccxt-venue.ts";
import { withRetries } from "../venues/ccxt-errors.ts";
import { DOWNLOAD_RETRY } from "../venues/download.ts";
import { sleep } from "../core/sleep.ts";

/**
 * The month files [fromTs, toTs) needs, each a whole month (the running one up to `nowMs`'s minute). A month file
 * is there when it exists and was written after the end of what it covers (a file written mid-month is
 * downloaded again for the minutes since).
 */
export function monthRequests(
  config: Config,
  fromTs: number,
  toTs: number,
  nowMs: number,
  funding: boolean,
  root = DATA_ROOT,
): { request: DownloadRequest; present: boolean }[] {
  const folder = marketFolder(config.market.exchange, config.market.symbol, root);
  const nowMinute = Math.floor(nowMs / 60_000) * 60_000;
  return monthsOf(fromTs, toTs).flatMap((m) => {
    const end = Math.min(m.endTs, nowMinute);
    const files: { kind: DownloadRequest["kind"]; path: string }[] = [{
      kind: "candles",
      path: candleMonthFile(folder, m),
    }];
    if (funding) files.push({ kind: "funding", path: fundingMonthFile(folder, m) });
    return files.map(({ kind, path }) => ({
      request: { kind, fromTs: m.startTs, toTs: end, path },
      present: existsSync(path) && statSync(path).mtimeMs >= end,
    }));
  });
}

/** Total minutes of a list of requests (the progress bar's total). */
export const minutesOf = (requests: DownloadRequest[]) =>
  requests.reduce((s, r) => s + (r.toTs - r.fromTs) / 60_000, 0);

/**
 * A downloader for the configured market, once the venue is known to serve what is asked: a ccxt exchange with
 * 1m candles (and funding history when `funding`), listing `market.symbol`. Refusals are ConfigErrors (exit 2).
 */
export async function openDownloader(
  config: Config,
  funding: boolean,
  onProgress?: (done: number) => void,
): Promise<Downloader> {
  const { venue } = await createVenue(config, { trading: false });
  const id = config.market.exchange;
  if (!venue.has.fetchOHLCV) {
    throw new ConfigError([`market.exchange: ${id} has no candle history in ccxt (fetchOHLCV); choose another venue`]);
  }
  if (funding && !venue.has.fetchFundingRateHistory) {
    throw new ConfigError([`--funding: ${id} has no funding rate history in ccxt (fetchFundingRateHistory)`]);
  }
  const ccxt = await loadCcxt();
  // a failed loadMarkets() is cached by ccxt and rethrown: reload on each retry
  await withRetries(ccxt, venue, DOWNLOAD_RETRY, sleep, () => venue.loadMarkets(true));
  const symbol = config.market.symbol;
  if (!venue.markets?.[symbol]) {
    const listed = Object.keys(venue.markets ?? {});
    throw new ConfigError([
      `market.symbol: ${JSON.stringify(symbol)} is not listed on ${id}${
        listed.length ? ` (it lists ${listed.slice(0, 5).join(", ")}${listed.length > 5 ? ", …" : ""})` : ""
      }`,
    ]);
  }
  return new Downloader(venue, ccxt, symbol, { onProgress });
}

/** Runs the requests in order; one progress figure (minutes done) over all of them. */
export async function downloadAll(
  config: Config,
  requests: DownloadRequest[],
  progress?: (doneMinutes: number, totalMinutes: number) => void,
): Promise<DownloadResult[]> {
  const total = minutesOf(requests);
  let before = 0, current = 0;
  const downloader = await openDownloader(
    config,
    requests.some((r) => r.kind === "funding"),
    (share) => progress?.(before + share * current, total),
  );
  const results: DownloadResult[] = [];
  for (const r of requests) {
    current = (r.toTs - r.fromTs) / 60_000;
    results.push(await downloader.download(r));
    before += current;
  }
  return results;
}

/** One sentence on what a download wrote; the gaps (with their times) in a second when there are any. */
export function downloadSummary(config: Config, results: DownloadResult[], elapsedMs: number): string[] {
  const sum = (rs: DownloadResult[], f: (r: DownloadResult) => number) => rs.reduce((s, r) => s + f(r), 0);
  const candles = sum(results.filter((r) => r.kind === "candles"), (r) => r.rows);
  const fundingRows = sum(results.filter((r) => r.kind === "funding"), (r) => r.rows);
  const resumed = sum(results, (r) => r.resumedRows);
  const paths = results.map((r) => r.path);
  const where = paths.length <= 2
    ? paths.join(", ")
    : `${paths.length} files under ${dirname(paths[0])}/ (${basename(paths[0])} … ${basename(paths.at(-1)!)})`;
  const gaps = joinedGaps(results.flatMap((r) => r.gaps));
  const lines = [
    `${config.market.symbol} (${config.market.exchange}, ${config.market.type}): ${candles} 1m candles${
      fundingRows ? ` and ${fundingRows} funding rates` : ""
    } in ${where}; ${sum(results, (r) => r.pages)} pages${
      resumed ? `, ${resumed} rows kept from an interrupted run` : ""
    }, ${(elapsedMs / 1000).toFixed(1)} s; ${gaps.length ? `${gaps.length} gap(s), below` : "no gaps"}`,
  ];
  if (gaps.length) {
    const listed = gaps.slice(0, 10).map((g) =>
      `${isoMinute(g.fromTs)} → ${isoMinute(g.fromTs + (g.minutes - 1) * 60_000)} UTC (${g.minutes} min)`
    );
    lines.push(
      `the venue has no candles for ${gaps.reduce((s, g) => s + g.minutes, 0)} minute(s): ${listed.join(", ")}${
        gaps.length > 10 ? `, and ${gaps.length - 10} more` : ""
      } (left missing, not filled)`,
    );
  }
  return lines;
}

/** Gaps of consecutive files as the reader sees them: one that runs on into the next file's is one gap. */
function joinedGaps(gaps: DownloadResult["gaps"]): DownloadResult["gaps"] {
  const joined: DownloadResult["gaps"] = [];
  for (const g of [...gaps].sort((a, b) => a.fromTs - b.fromTs)) {
    const last = joined.at(-1);
    if (last && last.fromTs + last.minutes * 60_000 === g.fromTs) last.minutes += g.minutes;
    else joined.push({ ...g });
  }
  return joined;
}

/** The configured market's candles (and a perpetual's funding rates) for [fromTs, toTs) from the download folder. */
export interface MarketHistory {
  candles: Candle[];
  fundingRates?: FundingRate[];
  /** files read, gaps, and what was downloaded: one sentence each */
  notes: string[];
}

/**
 * Reads [fromTs, toTs) of the configured market from `data/<exchange>/<SYMBOL>/`, downloading the missing month
 * files first unless `offline` (then a missing month is a DataError naming the files and the command to fetch them).
 */
export async function marketHistory(
  config: Config,
  fromTs: number,
  toTs: number,
  opts: { offline: boolean; nowMs?: number; progress?: (done: number, total: number) => void; root?: string },
): Promise<MarketHistory> {
  const perp = config.market.type === "perp";
  const months = monthRequests(config, fromTs, toTs, opts.nowMs ?? Date.now(), perp, opts.root);
  const missing = months.filter((m) => !m.present).map((m) => m.request);
  const notes: string[] = [];
  if (missing.length && opts.offline) {
    throw new DataError(
      `--offline: missing ${missing.map((r) => r.path).join(", ")}; run without --offline to download ${
        missing.length > 1 ? "them" : "it"
      } (or mmbot download --from … --to …)`,
    );
  }
  if (missing.length) {
    const started = Date.now();
    const results = await downloadAll(config, missing, opts.progress);
    notes.push(
      ...downloadSummary(config, results, Date.now() - started).map((line, i) => i ? line : `downloaded ${line}`),
    );
  }
  const inRange = (ts: number) => ts >= fromTs && ts < toTs;
  // a month the venue has no candle of was written with the header only: nothing to read there
  const candleFiles = months.filter((m) => m.request.kind === "candles").map((m) => m.request.path)
    .filter((path) => statSync(path).size > CSV_HEADER.length + 1);
  if (!candleFiles.length) {
    throw new DataError(
      `the venue has no candles of ${config.market.symbol} from ${isoMinute(fromTs)} to ${isoMinute(toTs)} UTC`,
    );
  }
  const candles = readCandleFiles(candleFiles).candles.filter((c) => inRange(c.ts));
  if (!candles.length) {
    throw new DataError(`${candleFiles.join(", ")}: no candles from ${isoMinute(fromTs)} to ${isoMinute(toTs)} UTC`);
  }
  notes.push(
    `candles: ${candleFiles.join(", ")} (${candles.length} from ${isoMinute(fromTs)} to ${isoMinute(toTs)} UTC)`,
  );
  notes.push(...gapNotes(candles));
  if (!perp) return { candles, notes };
  const fundingRates = months.filter((m) => m.request.kind === "funding")
    .flatMap((m) => loadFundingFileOrNone(m.request.path)).filter((r) => inRange(r.ts));
  return { candles, fundingRates: fundingRates.length ? fundingRates : undefined, notes };
}

/** A month's funding file; a month the venue published no funding for was written with the header only. */
function loadFundingFileOrNone(path: string): FundingRate[] {
  const text = readFileSync(path, "utf8");
  return text.trim() === FUNDING_HEADER ? [] : parseFundingCsv(text, path);
}
