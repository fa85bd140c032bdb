/**
 * `mmbot download`: the configured market's 1m candles (and, with `--funding` on a perpetual, its funding rates)
 * from the venue through ccxt into our CSV format (DESIGN §10, §15). Bad input is one line and exit 2, checked
 * before anything is written; ccxt loads only here, once the arguments are accepted.
 */
import process from "node:process";
import { parseArgs } from "node:util";
import { CONFIG_OPTIONS, loadConfig } from "../config/cli.ts";
import { ConfigError } from "../config/validate.ts";
import { rangeProblem } from "../config/dates.ts";
import type { DownloadRequest } from "../venues/download.ts";
import { progressBar } from "../lab/progress.ts";
import { downloadAll, downloadSummary, monthRequests } from "./market-data.ts";
import { DataError } from "../venues/candles.ts";
import { messageOf } from "../core/format.ts";
import { scrubUrls } from "../core/scrub.ts";

export const DOWNLOAD_USAGE = `Usage:
  deno run -P mod.ts download --from DATE [--to DATE] [--out PATH] [--funding] [--config PATH] [--set market.…=…]

Downloads the configured market's 1m candles (market.exchange, market.symbol, market.type, market.rest_url) through
ccxt into our CSV (ts,open,high,low,close,volume). Resumes an interrupted download; minutes the venue has no candle
for are reported, never filled.

  --from DATE   first minute, inclusive: a UTC day (2025-01-01) or an ISO time (2025-01-01T06:00)
  --to DATE     end, exclusive (default: now)
  --out PATH    one file for the whole range (default: data/<exchange>/<SYMBOL>/YYYY-MM.csv, whole months)
  --funding     perpetuals: the funding rates too (ts,rate), next to the candles as *.funding.csv`;

/** Runs `download` with its argv (after the verb); returns the exit code (2: bad input, 1: the venue failed). */
export async function downloadCommand(argv: string[], nowMs = Date.now()): Promise<number> {
  try {
    return await download(argv, nowMs);
  } catch (e) {
    if (e instanceof ConfigError) {
      for (const p of e.problems) console.error(`mmbot download: ${p}`);
      return 2;
    }
    if (e instanceof DataError) {
      console.error(`mmbot download: ${e.message}`);
      return 2;
    }
    const name = (e as Error)?.name ?? "Error";
    // retries are spent (or the failure is final): what failed, in one line; the .part stays for the next run
    console.error(`mmbot download: the exchange failed (${name}): ${scrubUrls(messageOf(e))}; run again to resume`);
    return 1;
  }
}

async function download(argv: string[], nowMs: number): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      options: {
        ...CONFIG_OPTIONS,
        from: { type: "string" },
        to: { type: "string" },
        out: { type: "string" },
        funding: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    return bad(`${(e as Error).message.split(". ")[0]}; see download --help`);
  }
  const v = parsed.values;
  if (v.help) {
    console.log(DOWNLOAD_USAGE);
    return 0;
  }
  const range = rangeProblem(v.from, v.to, nowMs);
  if ("problem" in range) return bad(range.problem);
  if (v.out !== undefined && !/\.csv$/i.test(v.out)) return bad(`--out ${v.out}: must end in .csv (our CSV format)`);
  const config = loadConfig(v.config ?? "config.yml", v.set ?? []);
  if (v.funding && config.market.type !== "perp") {
    return bad("--funding: funding rates exist for perpetuals; set market.type=perp (and market.exchange=binanceusdm)");
  }
  const requests: DownloadRequest[] = [];
  if (v.out !== undefined) {
    requests.push({ kind: "candles", fromTs: range.fromTs, toTs: range.toTs, path: v.out });
    if (v.funding) {
      const path = v.out.replace(/\.csv$/i, ".funding.csv");
      requests.push({ kind: "funding", fromTs: range.fromTs, toTs: range.toTs, path });
    }
  } else {
    const months = monthRequests(config, range.fromTs, range.toTs, nowMs, v.funding ?? false);
    const present = months.filter((m) => m.present).map((m) => m.request.path);
    if (present.length) console.log(`mmbot download: already downloaded: ${present.join(", ")}`);
    requests.push(...months.filter((m) => !m.present).map((m) => m.request));
    if (!requests.length) return 0;
  }
  const bar = process.stderr.isTTY ? progressBar(process.stderr, Date.now, "minutes") : null;
  const started = Date.now();
  try {
    const results = await downloadAll(config, requests, (done, total) => bar?.update(Math.round(done), total));
    bar?.end();
    for (const line of downloadSummary(config, results, Date.now() - started)) console.log(`mmbot download: ${line}`);
  } catch (e) {
    bar?.end();
    throw e;
  }
  return 0;
}

function bad(problem: string): never {
  throw new ConfigError([problem]);
}
