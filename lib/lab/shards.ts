/**
 * `optimize` over several machines: `--shard I/N` backtests one slice of the candidates, `--merge` chooses from the
 * parts exactly as one run would.
 *
 * - The candidates are the same seeded points whatever N (lib/lab/search.ts draws them all; a shard keeps
 *   candidate c when c mod N = I, 0-based as Kubernetes' JOB_COMPLETION_INDEX). A shard scores its candidates on
 *   every window W0..WK, the holdout too, since which candidates the holdout needs is known only after the merge.
 * - A part records the settings of its search: the configuration, the space, trials, folds, seed, the objective and
 *   any other option that scores, the data (by content hash). Parts of different searches do not merge.
 * - The merge runs lib/lab/optimize.ts itself with an `evaluate` that looks the backtests up in the parts, so the
 *   choice, the folds, the leaderboard and the rejected candidates are those of one run by construction.
 */
import type { Config } from "../config/schema.ts";
import { getPath } from "../config/validate.ts";
import type { Figures } from "./objective.ts";
import {
  baselineParams,
  candidateConfig,
  type Evaluate,
  optimize,
  type OptimizeInput,
  type OptimizeResult,
  type Params,
} from "./optimize.ts";
import { sampleCandidates } from "./search.ts";
import type { Dimension } from "./space.ts";
import { splitWindows, type Window } from "./walk-forward.ts";

export const PART_FORMAT = "mmbot-optimize-part/1";

export interface Shard {
  /** 0-based */
  index: number;
  count: number;
}

/** What makes two parts pieces of one search: everything but where they ran and where they wrote. */
export interface ShardSettings {
  /** the configuration after --config and --set, as YAML (candidates are built from it) */
  config_yaml: string;
  space: Dimension[];
  trials: number;
  folds: number;
  seed: number;
  warmup: number;
  /** the scoring options as the command holds them (objective weights, and any other option that scores) */
  options: Record<string, unknown>;
  /** per data file: its name, how many candles, a hash of its content */
  data: { name: string; candles: number; sha256: string }[];
}

export interface ShardPart {
  format: typeof PART_FORMAT;
  shard: Shard;
  settings: ShardSettings;
  /** what the report says of the data (windows with their dates), as computed by the shard */
  report_data: unknown;
  /** per candidate of the slice that the config accepts: figures[window j][file] */
  results: { candidate: number; params: Params; figures: Figures[][] }[];
}

/** Parts that do not make one search: the message names the part and what differs. */
export class MergeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MergeError";
  }
}

/** `I/N` → the shard, or null when the text is not one (0 ≤ I < N ≤ 10000). */
export function parseShard(text: string): Shard | null {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) return null;
  const index = Number(m[1]), count = Number(m[2]);
  return count >= 1 && count <= 10_000 && index < count ? { index, count } : null;
}

/** The candidate numbers of a shard: c mod N = I, over the baseline (0) and the `trials` drawn points. */
export function shardCandidates(trials: number, shard: Shard): number[] {
  return Array.from({ length: trials + 1 }, (_, c) => c).filter((c) => c % shard.count === shard.index);
}

export type ShardInput = OptimizeInput & { shard: Shard };

/** Backtests the shard's candidates on every window of every file. */
export async function runShard(input: ShardInput): Promise<{ windows: Window[][]; results: ShardPart["results"] }> {
  const { base, files, space, folds: K } = input;
  const windows = splitWindows(files.map((f) => f.length), files.map((f) => f.name), K, input.warmup);
  const params = [baselineParams(base, space), ...sampleCandidates(space, input.trials, input.seed)];
  const mine: { candidate: number; params: Params; config: Config }[] = [];
  for (const c of shardCandidates(input.trials, input.shard)) {
    try {
      mine.push({ candidate: c, params: params[c], config: candidateConfig(base, params[c]) });
    } catch {
      // rejected by the config's rules: the merge's own run finds and reports it
    }
  }
  let done = 0;
  const total = mine.length * (K + 1) * files.length;
  input.onProgress?.(0, total);
  const results = await Promise.all(mine.map(async ({ candidate, params, config }) => ({
    candidate,
    params,
    figures: await Promise.all(
      Array.from({ length: K + 1 }, (_, j) =>
        Promise.all(windows.map((w) =>
          input.evaluate(config, w[j]).then((f) => {
            input.onProgress?.(++done, total);
            return f;
          })
        ))),
    ),
  })));
  return { windows, results };
}

const canonical = (v: unknown): string =>
  JSON.stringify(
    v,
    (_, x) =>
      x && typeof x === "object" && !Array.isArray(x)
        ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, x[k]]))
        : x,
  );

/** The first top-level setting in which two parts differ, said for a person; null when none does. */
function difference(a: ShardSettings, b: ShardSettings): string | null {
  // data files are told apart by content, not by name (each machine may keep them elsewhere)
  const same = (key: keyof ShardSettings) =>
    key === "data"
      ? canonical(a.data.map((d) => [d.candles, d.sha256])) === canonical(b.data.map((d) => [d.candles, d.sha256]))
      : canonical(a[key]) === canonical(b[key]);
  for (const key of Object.keys({ ...a, ...b }) as (keyof ShardSettings)[]) {
    if (same(key)) continue;
    if (key === "config_yaml") return "the configuration";
    if (key === "data") return "the data";
    if (key === "options") {
      const k = Object.keys({ ...a.options, ...b.options }).find((k) =>
        canonical(a.options[k]) !== canonical(b.options[k])
      );
      return `the options: ${k} (${canonical(a.options[k!]) ?? "none"} vs ${canonical(b.options[k!]) ?? "none"})`;
    }
    return `${key} (${canonical(a[key])} vs ${canonical(b[key])})`;
  }
  return null;
}

/** Checks that the parts are all the shards of one search, each once. */
export function checkParts(parts: { name: string; part: ShardPart }[]): void {
  if (!parts.length) throw new MergeError("--merge needs the part files of every shard");
  const [first] = parts;
  const seen = new Map<number, string>();
  for (const { name, part } of parts) {
    if (part?.format !== PART_FORMAT) throw new MergeError(`${name}: not an optimize part (${PART_FORMAT})`);
    const diff = difference(first.part.settings, part.settings);
    if (diff) throw new MergeError(`${first.name} and ${name} are parts of different searches: they differ in ${diff}`);
    if (part.shard.count !== first.part.shard.count) {
      throw new MergeError(
        `${name} is shard ${part.shard.index}/${part.shard.count}, ${first.name} of ${first.part.shard.count}`,
      );
    }
    const twice = seen.get(part.shard.index);
    if (twice) throw new MergeError(`${name} and ${twice} are both shard ${part.shard.index}/${part.shard.count}`);
    seen.set(part.shard.index, name);
  }
  const n = first.part.shard.count;
  const missing = Array.from({ length: n }, (_, i) => i).filter((i) => !seen.has(i));
  if (missing.length) throw new MergeError(`missing shard ${missing.map((i) => `${i}/${n}`).join(", ")}`);
}

/** The choice of one run, from the parts (checked first); `base` is the parts' configuration. */
export async function mergeParts(base: Config, parts: { name: string; part: ShardPart }[]): Promise<OptimizeResult> {
  checkParts(parts);
  const s = parts[0].part.settings;
  const windows = splitWindows(s.data.map((d) => d.candles), s.data.map((d) => d.name), s.folds, s.warmup);
  const keyOf = (params: (number | undefined)[], w: Window) => `${params.join(",")}|${w.file}:${w.from}:${w.to}`;
  const found = new Map<string, Figures>();
  for (const { part } of parts) {
    for (const r of part.results) {
      const p = s.space.map((d) => r.params[d.key]);
      r.figures.forEach((perFile, j) => perFile.forEach((f, file) => found.set(keyOf(p, windows[file][j]), f)));
    }
  }
  const evaluate: Evaluate = (config, w) => {
    const f = found.get(keyOf(s.space.map((d) => getPath(config, d.key) as number), w));
    if (!f) return Promise.reject(new MergeError(`no part holds a backtest the choice needs (window ${w.from})`));
    return Promise.resolve(f);
  };
  return await optimize({
    base,
    files: s.data.map((d) => ({ name: d.name, length: d.candles })),
    space: s.space,
    trials: s.trials,
    folds: s.folds,
    seed: s.seed,
    warmup: s.warmup,
    evaluate,
  });
}

/** A part as JSON text; non-finite numbers kept (JSON would make them null and change a pooled figure). */
export function partJson(part: ShardPart): string {
  return JSON.stringify(part, (_, v) => (typeof v === "number" && !Number.isFinite(v) ? { $number: String(v) } : v));
}

export function parsePart(text: string): ShardPart {
  return JSON.parse(text, (_, v) => (v && typeof v === "object" && "$number" in v ? Number(v.$number) : v));
}
