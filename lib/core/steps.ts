/** Price and amount grids: rounding to the tick and the lot without float dust, and the mid price. */
import type { TopOfBook } from "./types.ts";

export const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** Mid price of a top of book. */
export const midOf = (m: Pick<TopOfBook, "bestBid" | "bestAsk">) => (m.bestBid + m.bestAsk) / 2;

const decimalsCache = new Map<number, number>();
/** Decimal places of a step (0.01 → 2), cached: rounding runs several times per tick. */
export function decimalsOf(step: number): number {
  let d = decimalsCache.get(step);
  if (d === undefined) {
    const [mantissa, exp] = step.toExponential().split("e");
    d = Math.max(0, (mantissa.split(".")[1] ?? "").length - Number(exp));
    decimalsCache.set(step, d);
  }
  return d;
}

/** `steps × step` as the nearest double of the decimal value (200003 × 0.01 → 2000.03, not 2000.0300000000002). */
function snap(steps: number, step: number): number {
  let scale: number;
  if (step === stepA) scale = scaleA;
  else if (step === stepB) scale = scaleB;
  else {
    scale = 10 ** decimalsOf(step);
    (stepB = stepA), (scaleB = scaleA), (stepA = step), (scaleA = scale);
  }
  return Math.round(steps * step * scale) / scale;
}
// the two steps rounded last and their scales: a tick calls with the tick and the lot in turn (a Map look-up each
// time cost ~5 % of a backtest)
let stepA = NaN, scaleA = 1, stepB = NaN, scaleB = 1;

// A tiny tolerance so that 2000.03 / 0.01 = 200002.99999999997 still counts as 200003 steps. The error of x / step
// grows with the number of steps (a few units in the last place: 300000.04 / 0.01 = 30000003.999999996), so the
// tolerance does too: 1e-9 of a step, plus 1e-12 of the count (far above the error, far below a step up to 1e11 steps).
const STEP_EPSILON = 1e-9, RELATIVE_EPSILON = 1e-12;

/** Rounds down to a multiple of `step` (bids, amounts): never more aggressive than asked. */
export function floorToStep(x: number, step: number): number {
  const steps = x / step;
  return snap(Math.floor(steps + (STEP_EPSILON + Math.abs(steps) * RELATIVE_EPSILON)), step);
}

/** Rounds up to a multiple of `step` (asks). */
export function ceilToStep(x: number, step: number): number {
  const steps = x / step;
  return snap(Math.ceil(steps - (STEP_EPSILON + Math.abs(steps) * RELATIVE_EPSILON)), step);
}
