/**
 * Walk-forward windows: each data file is cut into `folds + 1` consecutive windows of equal length; fold k
 * (1..folds) tunes on window k − 1 and is scored on window k, which it has never seen.
 *
 * The first `warmup` candles of a file (the most any candidate's indicators need) belong to no window, so every
 * candidate starts trading at the same minute; a later window borrows its warm-up from the candles just before
 * it (read, never traded), so the windows tile the rest of the file without a gap. Windows never span two files.
 */
import type { Config } from "../config/schema.ts";
import { requiredCandles } from "../core/indicators.ts";
import type { Candle } from "../core/types.ts";
import { runBacktest } from "./backtest.ts";
import { type Figures, figuresOf, mirroredFigures, type ObjectiveOptions } from "./objective.ts";
import { mirrorCandles, mirrorConfig } from "./mirror.ts";

/** Candles [from, to) of one file that a backtest trades on. */
export interface Window {
  file: number;
  from: number;
  to: number;
}

/** A window too short for the indicators, or data too short for the folds. */
export class WindowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WindowError";
  }
}

/**
 * The windows of each file: result[file][j] for j = 0..folds. Each is floor((length − warmup) / (folds + 1))
 * candles long, the last one taking the remainder. Throws WindowError when a window would be shorter than
 * `warmup` (the indicators would need more history than the window trades on).
 */
export function splitWindows(lengths: number[], names: string[], folds: number, warmup: number): Window[][] {
  return lengths.map((length, file) => {
    const size = Math.floor((length - warmup) / (folds + 1));
    if (size < Math.max(warmup, 1)) {
      throw new WindowError(
        `${names[file]}: ${length} candles give ${folds + 1} windows of ${
          Math.max(size, 0)
        } candles (--folds ${folds}), ` +
          `shorter than the ${warmup} candles the indicators need; use fewer folds or more data`,
      );
    }
    return Array.from({ length: folds + 1 }, (_, j) => ({
      file,
      from: warmup + j * size,
      to: j === folds ? length : warmup + (j + 1) * size,
    }));
  });
}

/**
 * What one backtest of a window gets: the window's candles preceded by the candidate's own warm-up, and, on
 * spot, the configured paper equity split at `target_base_ratio` at the window's first price (every window
 * starts balanced, so a window's result is the parameters', not the luck of the starting inventory).
 */
export function windowInput(config: Config, candles: Candle[], w: Window): { config: Config; candles: Candle[] } {
  const warmup = requiredCandles(config.strategy);
  const slice = candles.slice(Math.max(0, w.from - warmup), w.to);
  if (config.market.type !== "spot") return { config, candles: slice };
  const price = candles[w.from].open;
  const equity = config.paper.initial_base * price + config.paper.initial_quote;
  const target = config.strategy.target_base_ratio;
  const paper = { ...config.paper, initial_base: equity * target / price, initial_quote: equity * (1 - target) };
  return { config: { ...config, paper }, candles: slice };
}

/** Backtests one candidate on one window and scores it. */
export async function evaluateWindow(
  config: Config,
  candles: Candle[],
  w: Window,
  objective: ObjectiveOptions,
): Promise<Figures> {
  const input = windowInput(config, candles, w);
  const { summary, series } = await runBacktest(input.config, input.candles);
  const run = figuresOf(summary, series, objective);
  if (!objective.mirror) return run;
  const mirrored = mirroredWindowInput(config, candles, w);
  const m = await runBacktest(mirrored.config, mirrored.candles);
  return mirroredFigures(run, figuresOf(m.summary, m.series, objective), objective);
}

/**
 * What the mirror of one backtest of a window gets (mirror.ts): the window's own candles with the candidate's warm-up,
 * mirrored about the first of them (P0), and on spot the paper equity balanced at the mirror's own first price.
 */
export function mirroredWindowInput(
  config: Config,
  candles: Candle[],
  w: Window,
): { config: Config; candles: Candle[] } {
  const lo = Math.max(0, w.from - requiredCandles(config.strategy));
  return windowInput(mirrorConfig(config, true), mirrorCandles(candles.slice(lo, w.to)), {
    file: w.file,
    from: w.from - lo,
    to: w.to - lo,
  });
}
