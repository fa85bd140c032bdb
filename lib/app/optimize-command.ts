/**
 * `mmbot optimize`: the command line of the walk-forward search (DESIGN §14). Parses and checks its arguments
 * (bad input: one line naming it, exit 2), loads the candles, runs lib/lab/optimize.ts on a worker pool with a
 * progress bar on stderr, prints the result, writes the JSON report and the profile YAML.
 * Imports only the lab, config and candle loading: no ccxt, no grammY.
 */
import process from "node:process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { CONFIG_OPTIONS, DATA_OPTIONS, dataSourceProblem, loadConfig } from "../config/cli.ts";
import { ConfigError } from "../config/validate.ts";
import type { Config } from "../config/schema.ts";
import { DataError } from "../venues/candles.ts";
import { readCandleFile } from "../venues/candle-files.ts";
import { DEFAULT_OBJECTIVE, type Figures, type ObjectiveOptions } from "../lab/objective.ts";
import { optimize, type OptimizeResult } from "../lab/optimize.ts";
import { WorkerPool } from "../lab/pool.ts";
import { progressBar } from "../lab/progress.ts";
import { type Dimension, SpaceError, spaceFor, warmupOf } from "../lab/space.ts";
import { type Window, WindowError } from "../lab/walk-forward.ts";
import { MergeError, parseShard, type Shard } from "../lab/shards.ts";
import { mergeFromParts, writeShard } from "./optimize-shards.ts";
import { profileYaml } from "../lab/profile.ts";
import { rangeProblem } from "../config/dates.ts";

export const OPTIMIZE_USAGE = `Usage:
  deno run -P mod.ts optimize --data FILE [--data FILE ...] [--config PATH] [--set key=value ...]
  deno run -P mod.ts optimize [--symbol SYMBOL] --from DATE [--to DATE] [--offline] [--config PATH] [--set ...]
      [--space key=lo:hi ...] [--trials N] [--folds K] [--seed S] [--json OUT] [--profile-out YML]
      [--workers N] [--min-fills N] [--drawdown-weight W] [--mirror] [--shard I/N --json PART]
  deno run -P mod.ts optimize --merge PART [PART ...] [--json OUT] [--profile-out YML]

Walk-forward search: each CSV is cut into K+1 consecutive windows; fold k tunes on window k-1 and is scored on
window k. Score = (return - hold return) - W x excess drawdown, in %, when a window has at least N fills.

  --data FILE           1m candles: our CSV, .csv.gz or Binance's kline dumps (.csv/.zip); repeat for several
                        periods (each is cut into its own windows)
  --symbol SYMBOL       instead of --data: the market (default market.symbol) from data/<exchange>/<SYMBOL>/,
  --from DATE           from this UTC day or ISO time, --to DATE up to this one (exclusive; default now), one period;
  --offline             months missing there are downloaded first unless --offline
  --space key=lo:hi     a key of strategy.* or risk.* and its range (repeatable; default: the profile's space)
  --trials N            candidates drawn besides the configuration's own (default 200)
  --folds K             walk-forward folds, K+1 windows per file (default 3)
  --seed S              seed of the Latin-hypercube sampler; same seed, same choice (default 1)
  --json OUT            write the report here (the profile goes next to it as OUT.yml)
  --profile-out YML     write the chosen parameters as a profile here (default: next to --json, or
                        out/optimize-<profile>.yml)
  --workers N           backtests in parallel (default: the number of cores)
  --min-fills N         a window with fewer fills gets no score (default ${DEFAULT_OBJECTIVE.minFills})
  --drawdown-weight W   weight of the excess drawdown in the score (default ${DEFAULT_OBJECTIVE.drawdownWeight})
  --mirror              score every window on itself and its mirror (p -> P0^2/p):
                        score = edge - |directional| - W x excess drawdown (the worse of the two runs'), where
                        edge = (excess + mirror excess)/2, directional = (excess - mirror excess)/2
  --shard I/N           backtest only candidates c with c mod N = I (0-based) and write them to --json PART
  --merge PART ...      choose from the parts of every shard exactly as one run would`;

export interface OptimizeOptions {
  configPath: string;
  sets: string[];
  data: string[];
  /** instead of data: the download folder's market and range */
  symbol?: string;
  from?: string;
  to?: string;
  offline: boolean;
  space: string[];
  trials: number;
  folds: number;
  seed: number;
  json?: string;
  profileOut?: string;
  workers: number;
  objective: ObjectiveOptions;
  help: boolean;
  /** this machine's slice of the candidates (lib/lab/shards.ts) */
  shard?: Shard;
  /** part files to merge instead of running */
  merge: string[];
}

/** A bad argument: the message names it and what is allowed. */
export class UsageError extends Error {}

function integer(name: string, text: string | undefined, def: number, min: number, max: number): number {
  if (text === undefined) return def;
  const n = Number(text);
  if (text.trim() === "" || !Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} ${JSON.stringify(text)}: must be an integer from ${min} to ${max}`);
  }
  return n;
}

export function parseOptimizeArgs(argv: string[]): OptimizeOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      options: {
        ...CONFIG_OPTIONS,
        ...DATA_OPTIONS,
        space: { type: "string", multiple: true },
        trials: { type: "string" },
        folds: { type: "string" },
        seed: { type: "string" },
        json: { type: "string" },
        "profile-out": { type: "string" },
        workers: { type: "string" },
        "min-fills": { type: "string" },
        "drawdown-weight": { type: "string" },
        mirror: { type: "boolean" },
        help: { type: "boolean", short: "h" },
        shard: { type: "string" },
        merge: { type: "boolean" },
      },
      allowPositionals: true,
    });
  } catch (e) {
    throw new UsageError(`${(e as Error).message.split(". ")[0]}; see optimize --help`);
  }
  const v = parsed.values;
  if (parsed.positionals.length && !v.merge) {
    throw new UsageError(`unexpected argument ${JSON.stringify(parsed.positionals[0])}; see optimize --help`);
  }
  if (v.merge && !parsed.positionals.length) throw new UsageError("--merge needs the part files (PART ...)");
  if (v.merge && (v.shard !== undefined || v.data?.length || v.from !== undefined || v.symbol !== undefined)) {
    throw new UsageError("--merge takes part files only: their settings and data come from the parts");
  }
  const shard = v.shard === undefined ? undefined : parseShard(v.shard);
  if (shard === null) {
    throw new UsageError(`--shard ${JSON.stringify(v.shard)}: must be I/N with 0 ≤ I < N ≤ 10000 (I 0-based)`);
  }
  if (shard && !v.json) throw new UsageError("--shard needs --json PART: where to write this shard's results");
  const source = v.help || v.merge ? null : dataSourceProblem(v, "optimize");
  if (source) throw new UsageError(source);
  const weight = v["drawdown-weight"] === undefined ? DEFAULT_OBJECTIVE.drawdownWeight : Number(v["drawdown-weight"]);
  if (!(Number.isFinite(weight) && weight >= 0 && weight <= 100)) {
    throw new UsageError(`--drawdown-weight ${JSON.stringify(v["drawdown-weight"])}: must be a number from 0 to 100`);
  }
  const cores = Math.max(1, navigator.hardwareConcurrency || 1);
  return {
    configPath: v.config ?? "config.yml",
    sets: v.set ?? [],
    data: v.data ?? [],
    symbol: v.symbol,
    from: v.from,
    to: v.to,
    offline: v.offline ?? false,
    space: v.space ?? [],
    trials: integer("trials", v.trials, 200, 1, 100_000),
    folds: integer("folds", v.folds, 3, 1, 100),
    seed: integer("seed", v.seed, 1, 0, 2 ** 31 - 1),
    json: v.json,
    profileOut: v["profile-out"],
    workers: integer("workers", v.workers, cores, 1, 256),
    objective: {
      minFills: integer("min-fills", v["min-fills"], DEFAULT_OBJECTIVE.minFills, 0, 1e9),
      drawdownWeight: weight,
      mirror: v.mirror ?? false,
    },
    help: v.help ?? false,
    shard,
    merge: v.merge ? parsed.positionals : [],
  };
}

const pct = (x: number | null | undefined) => (x === null || x === undefined ? "   n/a" : x.toFixed(3).padStart(7));
const scoreText = (f: Figures) =>
  `score ${pct(f.score)} | ${
    f.edge_pct === undefined ? "" : `edge ${pct(f.edge_pct)} % | directional ${pct(f.directional_pct)} % | `
  }excess ${pct(f.excess_return_pct)} % | excess dd ${pct(f.excess_drawdown_pct)} % | return ${
    pct(f.return_pct)
  } % | hold ${pct(f.hold_return_pct)} % | ${f.fills} fills`;
const paramsText = (p: Record<string, number>) =>
  Object.entries(p).map(([k, v]) => `${k.replace(/^strategy\./, "")}=${v}`).join(" ");

/** The result as text for the console. */
export function resultText(r: OptimizeResult): string {
  const lines = [
    `${r.candidates} candidates (${r.rejected.length} rejected by the config's rules), ${r.folds.length} folds`,
  ];
  for (const f of r.folds) {
    lines.push(`fold ${f.fold}: tuned on window ${f.tune}, tested on window ${f.test}: ${paramsText(f.params)}`);
    lines.push(`  in-sample      ${scoreText(f.in_sample)}`);
    lines.push(`  out-of-sample  ${scoreText(f.out_of_sample)}`);
  }
  const describe = (name: string, c: OptimizeResult["best"]) => {
    lines.push(`${name} (candidate ${c.candidate}): ${paramsText(c.params)}`);
    lines.push(`  tuning windows mean score ${pct(c.tuning_score)}`);
    lines.push(`  holdout (last window)  ${scoreText(c.holdout)}`);
  };
  describe("best", r.best);
  describe("baseline (the configuration's own)", r.baseline);
  return lines.join("\n");
}

/** Runs `optimize` with its argv (after the verb); returns the exit code. */
export async function optimizeCommand(argv: string[]): Promise<number> {
  let opts: OptimizeOptions, config: Config, space: Dimension[];
  const files: { name: string; candles: ReturnType<typeof readCandleFile> }[] = [];
  try {
    opts = parseOptimizeArgs(argv);
    if (opts.help) {
      console.log(OPTIMIZE_USAGE);
      return 0;
    }
    if (opts.merge.length) {
      const started = Date.now(), m = await mergeFromParts(opts.merge);
      return writeOutputs(argv, { ...opts, ...m.options }, m.config, m.space, m.data, m.result, started, 0);
    }
    config = loadConfig(opts.configPath, opts.symbol ? [`market.symbol=${opts.symbol}`, ...opts.sets] : opts.sets);
    space = spaceFor(config, opts.space);
    for (const path of opts.data) files.push({ name: path, candles: readCandleFile(path, { cache: true }) });
    if (opts.from !== undefined) {
      const range = rangeProblem(opts.from, opts.to, Date.now());
      if ("problem" in range) throw new UsageError(range.problem);
      // ccxt's adapter loads only for --symbol (downloading what is missing)
      const { marketHistory } = await import("./market-data.ts");
      const history = await marketHistory(config, range.fromTs, range.toTs, { offline: opts.offline });
      for (const note of history.notes) console.error(`mmbot optimize: ${note}`);
      const name = `${config.market.exchange} ${config.market.symbol} ${opts.from} → ${opts.to ?? "now"}`;
      files.push({ name, candles: history.candles });
    }
  } catch (e) {
    return badInput(e);
  }
  const pool = new WorkerPool(Math.min(opts.workers, opts.trials + 1), files.map((f) => f.candles), opts.objective);
  const bar = progressBar(process.stderr);
  const started = Date.now();
  let result: OptimizeResult;
  const search = {
    base: config,
    files: files.map((f) => ({ name: f.name, length: f.candles.length })),
    space,
    trials: opts.trials,
    folds: opts.folds,
    seed: opts.seed,
    warmup: warmupOf(config, space),
    evaluate: pool.evaluate,
  };
  if (opts.shard) {
    return await writeShard(opts, search, files, (w) => dataReport(files, w)).then(() => 0, badInput)
      .finally(() => pool.close());
  }
  try {
    console.error(
      `mmbot optimize: profile ${config.strategy.profile}${
        opts.objective.mirror ? " (mirrored)" : ""
      }, ${opts.trials} trials + the configuration's own, ${opts.folds} folds, ` +
        `seed ${opts.seed}, ${pool.size} workers; space ${space.map((d) => `${d.key}=${d.lo}:${d.hi}`).join(" ")}`,
    );
    result = await optimize({
      ...search,
      onProgress: bar.update,
    });
    bar.end();
  } catch (e) {
    bar.end();
    return badInput(e);
  } finally {
    pool.close();
  }
  return writeOutputs(argv, opts, config, space, dataReport(files, result.windows), result, started, pool.size);
}

export type Files = { name: string; candles: ReturnType<typeof readCandleFile> }[];

/** The report's `data`: each file with its windows' dates. */
const dataReport = (files: Files, windows: Window[][]) =>
  files.map((f, i) => ({
    path: f.name,
    candles: f.candles.length,
    windows: windows[i].map((w) => ({
      from: new Date(f.candles[w.from].ts).toISOString(),
      to: new Date(f.candles[w.to - 1].ts + 60_000).toISOString(),
      candles: w.to - w.from,
    })),
  }));

/** Prints the result, writes the profile and the JSON report. */
function writeOutputs(
  argv: string[],
  opts: OptimizeOptions,
  config: Config,
  space: Dimension[],
  data: unknown,
  result: OptimizeResult,
  started: number,
  workers: number,
): number {
  const elapsedS = (Date.now() - started) / 1000;
  const profilePath = opts.profileOut ??
    (opts.json ? opts.json.replace(/\.json$/i, "") + ".yml" : `out/optimize-${config.strategy.profile}.yml`);
  const command = `mmbot optimize ${argv.join(" ")}`;
  const report = {
    command,
    profile: config.strategy.profile,
    seed: opts.seed,
    trials: opts.trials,
    folds_count: opts.folds,
    workers,
    elapsed_s: elapsedS,
    objective: {
      formula: opts.objective.mirror
        ? "score = edge_pct − |directional_pct| − drawdown_weight × excess_drawdown_pct (the worse of the run and its mirror); none below min_fills"
        : "score = (return_pct − hold_return_pct) − drawdown_weight × excess_drawdown_pct; none below min_fills",
      mirror: opts.objective.mirror ?? false,
      drawdown_weight: opts.objective.drawdownWeight,
      min_fills: opts.objective.minFills,
    },
    space,
    data,
    folds: result.folds,
    best: result.best,
    baseline: result.baseline,
    leaderboard: result.leaderboard,
    rejected: result.rejected,
    candidates: result.candidates,
    profile_path: profilePath,
  };
  console.log(resultText(result));
  mkdirSync(dirname(profilePath), { recursive: true });
  writeFileSync(profilePath, profileYaml(config, result.best.params, { command, result }));
  console.log(`profile: ${profilePath} (use it with --config ${profilePath})`);
  if (opts.json) {
    mkdirSync(dirname(opts.json), { recursive: true });
    writeFileSync(opts.json, JSON.stringify(report, null, 2));
    console.log(`report:  ${opts.json}`);
  }
  console.error(`mmbot optimize: ${elapsedS.toFixed(1)} s`);
  return 0;
}

/** Bad input → one line naming it, exit 2; anything else is a bug and keeps its stack. */
function badInput(e: unknown): number {
  if (e instanceof ConfigError) {
    for (const p of e.problems) console.error(`mmbot optimize: ${p}`);
    return 2;
  }
  if (
    e instanceof UsageError || e instanceof MergeError || e instanceof SpaceError || e instanceof WindowError ||
    e instanceof DataError
  ) {
    console.error(`mmbot optimize: ${e.message}`);
    return 2;
  }
  console.error(`mmbot optimize: ${(e as Error)?.stack ?? e}`);
  return 1;
}
