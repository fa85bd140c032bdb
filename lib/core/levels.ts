/**
 * Levels (DESIGN §4, `strategy.levels`): several quotes a side. Level k (0-based) sits k steps further from the
 * reference than level 0, before rounding (bid down, ask up, to the tick), with size order size × scale^k:
 *
 *   step      = level_step_natr × natr / 100      when level_step_natr > 0 (a NATR multiple; natr in percent)
 *             = level_step_bps / 10000            otherwise
 *   bid_k     = floor_tick(raw_bid × (1 − k × step)),   ask_k = ceil_tick(raw_ask × (1 + k × step))
 *   amount_k  = floor_lot(amount_0 × level_amount_scale^k)
 *
 * raw_bid / raw_ask are level 0's prices after every guard (top of book, min spread, fee floor), so every level is
 * at least as far from mid as level 0. Each level obeys the guards a single quote does (lot, minimum notional, and
 * funds or the position limit counted together with the levels before it); the first level that fails ends the side.
 * With `levels` 1 nothing changes: one quote a side.
 */
import type { StrategyParams } from "./params.ts";
import { ceilToStep, floorToStep } from "./steps.ts";
import type { Side } from "./types.ts";

type LevelParams = Pick<StrategyParams, "levels" | "level_step_bps" | "level_step_natr" | "level_amount_scale">;

/** The step between levels as a fraction of the price. */
export function levelStep(p: LevelParams, natrPct: number): number {
  return p.level_step_natr > 0 ? p.level_step_natr * natrPct / 100 : p.level_step_bps / 10_000;
}

/** Price of level k of a side (k ≥ 1), from level 0's raw price: rounded away from mid. */
export function levelPrice(side: Side, k: number, raw0: number, step: number, tick: number): number {
  return side === "buy" ? floorToStep(raw0 * (1 - k * step), tick) : ceilToStep(raw0 * (1 + k * step), tick);
}

/** Amount of level k (k ≥ 1), from level 0's amount, on the lot. */
export function levelAmount(p: LevelParams, k: number, amount0: number, lot: number): number {
  return floorToStep(amount0 * p.level_amount_scale ** k, lot);
}
