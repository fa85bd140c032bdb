/**
 * `optimize` (DESIGN §14): a walk-forward parameter search.
 *
 * Candidates: the configuration's own parameters (the baseline, candidate 0) and `trials` points of a seeded
 * Latin hypercube over the space (lib/lab/search.ts). With K folds every file is cut into windows W0..WK
 * (lib/lab/walk-forward.ts) and every candidate is backtested on W0..W(K−1); then
 * - fold k (1..K) takes the candidate with the best score on W(k−1) (in-sample) and reports its score on Wk
 *   (out-of-sample: data it was not chosen on);
 * - `best` is the candidate with the best mean score over W0..W(K−1), and its score on WK, which no choice
 *   looked at, is its `holdout`. The baseline's figures stand beside it.
 * Ties go to the lower candidate number, so the baseline wins a tie and the same seed always makes the same
 * choice. Which backtest runs where (workers) changes nothing: every backtest is deterministic.
 */
import YAML from "yaml";
import type { Config } from "../config/schema.ts";
import { buildConfig, ConfigError, getPath } from "../config/validate.ts";
import { better, type Figures, poolFigures } from "./objective.ts";
import { sampleCandidates } from "./search.ts";
import type { Dimension } from "./space.ts";
import { splitWindows, type Window } from "./walk-forward.ts";

export type Params = Record<string, number>;

/** Runs one backtest of `config` on a window and scores it with the objective (in a worker, or in-process). */
export type Evaluate = (config: Config, window: Window) => Promise<Figures>;

export interface OptimizeInput {
  base: Config;
  /** per data file: its name and how many candles it has */
  files: { name: string; length: number }[];
  space: Dimension[];
  trials: number;
  folds: number;
  seed: number;
  warmup: number;
  evaluate: Evaluate;
  /** backtests done and planned so far (the plan grows by a few at the end) */
  onProgress?: (done: number, total: number) => void;
}

export interface CandidateResult {
  candidate: number;
  params: Params;
  /** mean score over the tuning windows W0..W(K−1); null if any has none */
  tuning_score: number | null;
  tuning_windows: Figures[];
  /** the window WK that no choice looked at */
  holdout: Figures;
}

export interface FoldResult {
  fold: number;
  /** window indexes: tuned on `tune`, scored on `test` */
  tune: number;
  test: number;
  candidate: number;
  params: Params;
  in_sample: Figures;
  out_of_sample: Figures;
}

export interface OptimizeResult {
  windows: Window[][];
  candidates: number;
  rejected: { candidate: number; params: Params; problem: string }[];
  folds: FoldResult[];
  best: CandidateResult;
  baseline: CandidateResult;
  /** the ten best candidates by tuning score */
  leaderboard: { candidate: number; params: Params; tuning_score: number | null }[];
}

const yamlOf = new WeakMap<Config, string>();

/** The base configuration with a candidate's parameters, validated like a config file (cross-checks too). */
export function candidateConfig(base: Config, params: Params): Config {
  let yamlText = yamlOf.get(base);
  if (yamlText === undefined) {
    // one order size per layer (lib/config/validate.ts): a size in quote stands alone, without the default in base
    const { order_amount: _, ...sized } = base.strategy;
    const doc = base.strategy.order_value_quote > 0 ? { ...base, strategy: sized } : base;
    yamlOf.set(base, yamlText = YAML.stringify(doc));
  }
  return buildConfig({
    yamlText,
    source: "candidate",
    sets: Object.entries(params).map(([k, v]) => `${k}=${v}`),
  });
}

/** The space's keys as the base configuration sets them. */
export function baselineParams(base: Config, space: Dimension[]): Params {
  return Object.fromEntries(space.map((d) => [d.key, getPath(base, d.key) as number]));
}

const meanScore = (figs: Figures[]) =>
  figs.some((f) => f.score === null) ? null : figs.reduce((a, f) => a + f.score!, 0) / figs.length;

/** The index of the best entry (first on ties), or -1 when none has a score. */
export function argBest(scores: (number | null)[]): number {
  let best = -1;
  scores.forEach((s, i) => {
    if (s !== null && (best < 0 || better(s, scores[best]))) best = i;
  });
  return best;
}

export async function optimize(input: OptimizeInput): Promise<OptimizeResult> {
  const { base, files, space, folds: K } = input;
  const windows = splitWindows(files.map((f) => f.length), files.map((f) => f.name), K, input.warmup);
  const params = [baselineParams(base, space), ...sampleCandidates(space, input.trials, input.seed)];
  const configs: (Config | null)[] = [];
  const rejected: OptimizeResult["rejected"] = [];
  params.forEach((p, candidate) => {
    try {
      configs.push(candidateConfig(base, p));
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      configs.push(null);
      rejected.push({ candidate, params: p, problem: e.problems.join("; ") });
    }
  });
  if (!configs[0]) throw new ConfigError([`the configuration itself is invalid: ${rejected[0].problem}`]);

  let done = 0, total = configs.filter(Boolean).length * K * files.length + 3 * files.length;
  const progress = () => input.onProgress?.(done, total);
  const cache = new Map<string, Promise<Figures>>();
  /** candidate c on window j, pooled over the files */
  const scoreOn = (c: number, j: number): Promise<Figures> => {
    const key = `${c}:${j}`;
    let hit = cache.get(key);
    if (!hit) {
      const parts = windows.map((fileWindows) =>
        input.evaluate(configs[c]!, fileWindows[j]).then((f) => {
          done++;
          progress();
          return f;
        })
      );
      hit = Promise.all(parts).then(poolFigures);
      cache.set(key, hit);
    }
    return hit;
  };
  progress();

  // tuning windows: every valid candidate on W0..W(K−1)
  const valid = configs.flatMap((c, i) => (c ? [i] : []));
  const tuning = new Map<number, Figures[]>();
  await Promise.all(
    valid.map(async (c) => tuning.set(c, await Promise.all(Array.from({ length: K }, (_, j) => scoreOn(c, j))))),
  );

  const foldChoices = Array.from({ length: K }, (_, k) => {
    const scores = params.map((_, c) => tuning.get(c)?.[k].score ?? null);
    const chosen = argBest(scores);
    return chosen < 0 ? 0 : chosen; // nothing scored: the baseline stands
  });
  const tuningScores = params.map((_, c) => (tuning.has(c) ? meanScore(tuning.get(c)!) : null));
  const bestIndex = Math.max(0, argBest(tuningScores));
  // the plan is now known: the fold-K choice, best and baseline on WK (some may coincide)
  total = done + new Set([foldChoices[K - 1], bestIndex, 0]).size * files.length;
  progress();

  const folds: FoldResult[] = await Promise.all(foldChoices.map(async (c, k) => ({
    fold: k + 1,
    tune: k,
    test: k + 1,
    candidate: c,
    params: params[c],
    in_sample: tuning.get(c)![k],
    out_of_sample: k + 1 < K ? tuning.get(c)![k + 1] : await scoreOn(c, K),
  })));
  const resultOf = async (c: number): Promise<CandidateResult> => ({
    candidate: c,
    params: params[c],
    tuning_score: tuningScores[c],
    tuning_windows: tuning.get(c)!,
    holdout: await scoreOn(c, K),
  });
  const [best, baseline] = await Promise.all([resultOf(bestIndex), resultOf(0)]);
  const leaderboard = valid
    .map((c) => ({ candidate: c, params: params[c], tuning_score: tuningScores[c] }))
    .sort((a, b) => (better(a.tuning_score, b.tuning_score) ? -1 : better(b.tuning_score, a.tuning_score) ? 1 : 0))
    .slice(0, 10);
  return { windows, candidates: params.length, rejected, folds, best, baseline, leaderboard };
}
