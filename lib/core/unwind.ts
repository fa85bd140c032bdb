/**
 * The passive unwind of a losing position (`strategy.unwind_*`, off at 0, its seed and default): a perp position whose
 * price has run against it is handed back near the mid instead of waiting for the move to turn. A quote fills when the
 * price trades through it, and on the perpetual development data the move goes on (per-fill markout grows from ~4 bps
 * at 1 minute to ~11 at 4 hours), so a position that is under water tends to sink further. With the position's
 * average entry price (`Inventory.entryPrice`: the venue's, or the paper account's average cost) and the mid,
 *
 *   loss = sign(position) × ln(entry / mid)          (a fraction; > 0: under water, a long below / a short above entry)
 *
 * and once loss > unwind_natr × natr / 100 (natr in percent):
 *
 *   the side that adds (the bid of a long, the ask of a short) stands aside      (skip reason `unwind`)
 *   the side that reduces sits unwind_offset_natr × natr / 100 from the mid      (bid = mid × (1 − o), ask = mid × (1 + o))
 *     when that is nearer than its own quote; every guard still holds: outside the top of book (post-only, so at
 *     least a tick from the mid on its side), min_spread_bps and the fee floor, rounded away from the mid
 *
 * until the loss is back within the threshold, when the quotes are the normal ones again. ln(entry / mid) of a long
 * is ln(mid' / entry') of the same short in the mirrored market (p → P0² / p), so a long under water and the mirrored
 * short are handled alike: no view on direction. Spot has no position entry: the unwind holds for perps only.
 * `unwind_natr` 0 turns it off.
 */
import type { StrategyParams } from "./params.ts";
import type { Side } from "./types.ts";

type UnwindParams = Pick<StrategyParams, "unwind_natr" | "unwind_offset_natr">;

export interface Unwind {
  /** the side that adds to the position, which stands aside */
  adding: Side;
  /** how far under water: sign(position) × ln(entry / mid), a fraction */
  loss: number;
  /** the threshold it is past, a fraction: unwind_natr × natr / 100 */
  threshold: number;
  /** the reducing side's distance from the mid, a fraction: unwind_offset_natr × natr / 100 */
  offset: number;
}

/** The unwind in force, or null (off, flat, no entry price, or within the threshold). */
export function unwind(
  p: UnwindParams,
  position: number,
  entryPrice: number | null | undefined,
  mid: number,
  natrPct: number,
): Unwind | null {
  if (!(p.unwind_natr > 0) || !(position !== 0) || !Number.isFinite(position)) return null;
  if (!(typeof entryPrice === "number" && entryPrice > 0 && Number.isFinite(entryPrice)) || !(mid > 0)) return null;
  const loss = Math.sign(position) * Math.log(entryPrice / mid);
  const threshold = p.unwind_natr * natrPct / 100;
  if (!(loss > threshold)) return null;
  const offset = Math.max(0, p.unwind_offset_natr) * natrPct / 100;
  return { adding: position > 0 ? "buy" : "sell", loss, threshold, offset };
}
