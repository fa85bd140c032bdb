/**
 * Downloading history through ccxt into our file formats: 1m candles (`fetchOHLCV`) and funding rates
 * (`fetchFundingRateHistory`), page after page from the last row received, with the live venue code's retries.
 *
 * Resumable and atomic: rows are appended to `<file>.part` as each page arrives (its first line names the market,
 * series, start and file); a run killed at any point and started again keeps the `.part`'s whole lines and goes on
 * after its last row, also when its end moved (no --to: now); only a finished download becomes `<file>` (written to
 * `<file>.tmp`, then renamed). Rows are the venue's, each once, in
 * order; minutes the venue has no candle for stay missing and are reported (never filled in).
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Exchange } from "ccxt";
import { CANDLE_MS } from "../core/types.ts";
import { FUNDING_INTERVAL_MS } from "../core/funding.ts";
import { sleep as timerSleep } from "../core/sleep.ts";
import { CSV_HEADER } from "./candles.ts";
import { FUNDING_HEADER } from "./funding-file.ts";
import { type RetryPolicy, withRetries } from "./ccxt-errors.ts";
import type { Ccxt } from "./ccxt-venue.ts";

/** What one download asks for: a series, a symbol, a time range [fromTs, toTs) and the file it ends in. */
export interface DownloadRequest {
  kind: "candles" | "funding";
  fromTs: number;
  toTs: number;
  path: string;
}

export interface DownloadResult {
  kind: DownloadRequest["kind"];
  path: string;
  rows: number;
  /** rows already in a `.part` left by an earlier run, kept */
  resumedRows: number;
  pages: number;
  /** missing minutes (candles only): where each run of them starts and how many */
  gaps: { fromTs: number; minutes: number }[];
}

export interface DownloaderOptions {
  retry?: RetryPolicy;
  sleep?: (ms: number) => Promise<void>;
  /** rows asked for a page (the venue may return fewer: it pages on from the last row it got) */
  pageLimit?: number;
  /** after each page: the share of the request's time range done, 0..1 */
  onProgress?: (done: number) => void;
}

/** Retries for a long download: more patient than a trading tick (which must not wait), same classification. */
export const DOWNLOAD_RETRY: RetryPolicy = { attempts: 8, baseMs: 500, capMs: 30_000 };

interface Row {
  ts: number;
  line: string;
}

export class Downloader {
  readonly #retry: RetryPolicy;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #pageLimit: number;

  constructor(
    readonly venue: Exchange,
    readonly ccxt: Ccxt,
    readonly symbol: string,
    readonly opts: DownloaderOptions = {},
  ) {
    this.#retry = opts.retry ?? DOWNLOAD_RETRY;
    this.#sleep = opts.sleep ?? timerSleep;
    this.#pageLimit = opts.pageLimit ?? 1000;
  }

  /** One page of rows with ts ≥ since (the venue's order), as lines of our format. */
  async #page(kind: DownloadRequest["kind"], since: number): Promise<Row[]> {
    const call = <T>(fn: () => Promise<T>) => withRetries(this.ccxt, this.venue, this.#retry, this.#sleep, fn);
    if (kind === "candles") {
      const rows = await call(() => this.venue.fetchOHLCV(this.symbol, "1m", since, this.#pageLimit));
      return rows.map(([ts, o, h, l, c, v]) => ({ ts: Number(ts), line: `${ts},${o},${h},${l},${c},${v}` }));
    }
    const rows = await call(() => this.venue.fetchFundingRateHistory(this.symbol, since, this.#pageLimit));
    return rows.map((r) => {
      // Binance stamps a funding a few ms past its time: our file holds the funding time itself
      const ts = Math.round(Number(r.timestamp) / FUNDING_INTERVAL_MS) * FUNDING_INTERVAL_MS;
      return { ts, line: `${ts},${r.fundingRate}` };
    });
  }

  /** Downloads `req` into `req.path`, resuming a `.part` an interrupted run of the same request left. */
  async download(req: DownloadRequest): Promise<DownloadResult> {
    const part = `${req.path}.part`;
    // what the .part is of; not its end: a rerun without --to ends at a later "now" and still continues it
    const { kind, fromTs, path } = req;
    const meta = `# mmbot download ${
      JSON.stringify({ symbol: this.symbol, venue: this.venue.id, kind, fromTs, path })
    }`;
    const header = req.kind === "candles" ? CSV_HEADER : FUNDING_HEADER;
    // the next page starts a minute after the last row: Binance stamps a funding up to a few ms past its time, and
    // that same funding must not come back rounded onto the last row
    const step = CANDLE_MS;
    const kept = resumable(part, meta)?.filter((r) => r.ts < req.toTs) ?? null;
    mkdirSync(dirname(req.path), { recursive: true });
    if (kept === null) writeFileSync(part, `${meta}\n${header}\n`);
    const rows = kept ?? [];
    const resumedRows = rows.length;
    let since = rows.length ? rows[rows.length - 1].ts + step : req.fromTs;
    let pages = 0;
    while (since < req.toTs) {
      const page = inOrder((await this.#page(req.kind, since)).filter((r) => r.ts >= since && r.ts < req.toTs));
      pages++;
      if (!page.length) break; // nothing more before toTs: the rest is a gap (or funding has no more times)
      appendFileSync(part, page.map((r) => r.line).join("\n") + "\n");
      rows.push(...page);
      since = page[page.length - 1].ts + step;
      this.opts.onProgress?.(Math.min(1, (since - req.fromTs) / (req.toTs - req.fromTs)));
    }
    this.opts.onProgress?.(1);
    const tmp = `${req.path}.tmp`;
    writeFileSync(tmp, `${header}\n${rows.map((r) => r.line).join("\n")}${rows.length ? "\n" : ""}`);
    renameSync(tmp, req.path);
    rmSync(part, { force: true });
    return {
      kind: req.kind,
      path: req.path,
      rows: rows.length,
      resumedRows,
      pages,
      gaps: req.kind === "candles" ? missingMinutes(rows.map((r) => r.ts), req.fromTs, req.toTs) : [],
    };
  }
}

/** The rows of a `.part` of the same request (whole lines only: a kill can cut the last), or null to start anew. */
function resumable(part: string, meta: string): Row[] | null {
  if (!existsSync(part)) return null;
  const text = readFileSync(part, "utf8");
  const lines = text.slice(0, text.lastIndexOf("\n") + 1).split("\n");
  if (lines[0] !== meta) return null; // another request's leftovers: not ours to continue
  const rows: Row[] = [];
  for (const line of lines.slice(2)) {
    if (line === "") continue;
    const ts = Number(line.slice(0, line.indexOf(",")));
    if (!Number.isInteger(ts) || (rows.length && ts <= rows[rows.length - 1].ts)) return null;
    rows.push({ ts, line });
  }
  // rewrite without a torn tail, so the appends that follow start on a fresh line
  writeFileSync(part, lines.join("\n"));
  return rows;
}

/** A page's rows in time order, each time once (Binance sends them so; a stand-in or a proxy might not). */
function inOrder(rows: Row[]): Row[] {
  rows.sort((a, b) => a.ts - b.ts);
  return rows.filter((r, i) => i === 0 || r.ts !== rows[i - 1].ts);
}

/** Runs of minutes in [fromTs, toTs) with no candle. */
export function missingMinutes(tss: number[], fromTs: number, toTs: number): { fromTs: number; minutes: number }[] {
  const gaps: { fromTs: number; minutes: number }[] = [];
  let expect = fromTs;
  for (const ts of [...tss, toTs]) {
    if (ts > expect) gaps.push({ fromTs: expect, minutes: (ts - expect) / CANDLE_MS });
    expect = ts + CANDLE_MS;
  }
  return gaps;
}
