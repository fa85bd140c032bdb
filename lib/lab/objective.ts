/**
 * The objective of `optimize`: what a market maker wants from its parameters.
 *
 *   score = excess_return_pct − drawdown_weight × excess_drawdown_pct, when fills ≥ min_fills (else no score)
 *
 * - excess_return_pct = return_pct − hold_return_pct: what quoting earned over simply holding the starting
 *   balances (a market maker is paid for the spread it captures, not for the market's direction);
 * - excess_drawdown_pct = the largest fall of (equity − hold equity) from its running peak, in % of the
 *   starting equity: how deep quoting ever went under holding on the way (the market's own drawdown is the
 *   hold's, not the parameters');
 * - min_fills: parameters that hardly trade "win" by doing nothing (their excess is ~0 while every real
 *   market maker pays fees); a window with fewer fills gets no score, and ranks below every scored one.
 *
 * With `mirror` (optimize --mirror, DESIGN §14) every window is also run mirrored (lib/lab/mirror.ts) and
 *
 *   score = edge_pct − |directional_pct| − drawdown_weight × excess_drawdown_pct
 *
 * with edge = (excess + excess_mirror) / 2, directional = (excess − excess_mirror) / 2 and the excess drawdown the
 * worse of the two runs': parameters that only lean with the development months' trend score nothing (their edge is
 * ~0 and their directional part is subtracted), and neither direction's drawdown is hidden by the other's gain.
 * The fill minimum applies to each of the two runs.
 *
 * The other figures (return, hold return, equity drawdown, fills, fees, spread capture, Sharpe) ride along.
 */
import type { BacktestSummary, Series } from "./backtest.ts";

export interface ObjectiveOptions {
  /** weight of excess_drawdown_pct against excess_return_pct */
  drawdownWeight: number;
  /** fewer fills than this in a window: no score */
  minFills: number;
  /** score each window on itself and its mirror (edge − |directional| − weight × excess drawdown) */
  mirror?: boolean;
}

export const DEFAULT_OBJECTIVE: ObjectiveOptions = { drawdownWeight: 0.5, minFills: 10 };

/** The figures of one backtest (or a pool of several): the score and what it was made of. */
export interface Figures {
  /** null: too few fills (or a candidate the config rejects) */
  score: number | null;
  excess_return_pct: number;
  excess_drawdown_pct: number;
  return_pct: number;
  hold_return_pct: number;
  max_drawdown_pct: number;
  fills: number;
  fees_quote: number;
  pnl_quote: number;
  spread_capture_bps_avg: number | null;
  sharpe: number | null;
  /** why there is no score */
  note?: string;
  /** mirrored: (excess + excess of the mirror) / 2, % */
  edge_pct?: number;
  /** mirrored: (excess − excess of the mirror) / 2, % */
  directional_pct?: number;
}

/** Largest fall of equity − hold from its running peak, in % of the starting equity. */
export function excessDrawdownPct(equity: ArrayLike<number>, hold: ArrayLike<number>, initialEquity: number): number {
  let peak = -Infinity, worst = 0;
  for (let i = 0; i < equity.length; i++) {
    const excess = equity[i] - hold[i];
    if (excess > peak) peak = excess;
    if (peak - excess > worst) worst = peak - excess;
  }
  return initialEquity > 0 ? worst / initialEquity * 100 : 0;
}

/** The score from its parts; null below the fill minimum. */
export function scoreOf(
  excessReturnPct: number,
  excessDrawdownPct: number,
  fills: number,
  o: ObjectiveOptions,
): number | null {
  if (fills < o.minFills) return null;
  return excessReturnPct - o.drawdownWeight * excessDrawdownPct;
}

/** The figures of one backtest. */
export function figuresOf(summary: BacktestSummary, series: Series, o: ObjectiveOptions): Figures {
  const excess = summary.return_pct - summary.hold_return_pct;
  const excessDd = excessDrawdownPct(series.equity, series.hold, summary.initial_equity_quote);
  const score = scoreOf(excess, excessDd, summary.fills, o);
  return {
    score,
    excess_return_pct: excess,
    excess_drawdown_pct: excessDd,
    return_pct: summary.return_pct,
    hold_return_pct: summary.hold_return_pct,
    max_drawdown_pct: summary.max_drawdown_pct,
    fills: summary.fills,
    fees_quote: summary.fees_quote,
    pnl_quote: summary.pnl_quote,
    spread_capture_bps_avg: summary.spread_capture_bps_avg,
    sharpe: summary.sharpe,
    ...(score === null ? { note: `${summary.fills} fills, fewer than the minimum ${o.minFills}` } : {}),
  };
}

/**
 * The figures of a window and its mirror (`run`, `mirror`: figuresOf each): the score of the header, the edge and
 * directional parts, the worse excess drawdown; fills and fees of both runs; other figures are the run's own.
 */
export function mirroredFigures(run: Figures, mirror: Figures, o: ObjectiveOptions): Figures {
  const edge = (run.excess_return_pct + mirror.excess_return_pct) / 2;
  const directional = (run.excess_return_pct - mirror.excess_return_pct) / 2;
  const excessDd = Math.max(run.excess_drawdown_pct, mirror.excess_drawdown_pct);
  const fewest = Math.min(run.fills, mirror.fills);
  const score = fewest < o.minFills ? null : edge - Math.abs(directional) - o.drawdownWeight * excessDd;
  const { note: _, ...rest } = run;
  return {
    ...rest,
    score,
    excess_drawdown_pct: excessDd,
    fills: run.fills + mirror.fills,
    fees_quote: run.fees_quote + mirror.fees_quote,
    edge_pct: edge,
    directional_pct: directional,
    ...(score === null ? { note: `${fewest} fills in a run, fewer than the minimum ${o.minFills}` } : {}),
  };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const meanOrNull = (xs: (number | null)[]) => {
  const known = xs.filter((x): x is number => x !== null);
  return known.length ? mean(known) : null;
};

/**
 * Several files' figures for the same window as one: percentages and scores averaged (each file counts
 * the same whatever its price), fills, fees and PnL summed. No score if any part has none.
 */
export function poolFigures(parts: Figures[]): Figures {
  if (parts.length === 1) return parts[0];
  const unscored = parts.find((p) => p.score === null);
  return {
    score: unscored ? null : mean(parts.map((p) => p.score!)),
    excess_return_pct: mean(parts.map((p) => p.excess_return_pct)),
    excess_drawdown_pct: mean(parts.map((p) => p.excess_drawdown_pct)),
    return_pct: mean(parts.map((p) => p.return_pct)),
    hold_return_pct: mean(parts.map((p) => p.hold_return_pct)),
    max_drawdown_pct: mean(parts.map((p) => p.max_drawdown_pct)),
    fills: parts.reduce((a, p) => a + p.fills, 0),
    fees_quote: parts.reduce((a, p) => a + p.fees_quote, 0),
    pnl_quote: parts.reduce((a, p) => a + p.pnl_quote, 0),
    spread_capture_bps_avg: meanOrNull(parts.map((p) => p.spread_capture_bps_avg)),
    sharpe: meanOrNull(parts.map((p) => p.sharpe)),
    ...(parts.every((p) => p.edge_pct !== undefined)
      ? {
        edge_pct: mean(parts.map((p) => p.edge_pct!)),
        directional_pct: mean(parts.map((p) => p.directional_pct!)),
      }
      : {}),
    ...(unscored ? { note: unscored.note } : {}),
  };
}

/** Orders scores best first; no score ranks last. */
export function better(a: number | null, b: number | null): boolean {
  if (a === null) return false;
  return b === null || a > b;
}
