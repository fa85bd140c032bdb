/**
 * The fast-move guard (`strategy.move_guard_*`, off at 0, its seed; the schema default is the shipped natr_macd's):
 * after a fast move, the quotes stand further off. A resting bid fills when the price falls through it; if the fall
 * goes on, the fill is the loss the backtest reports as markout (adverse selection). The guard reads the move of the
 * last closed candles,
 *
 *   move = close_last / close_{move_guard_min candles before} − 1          (a fraction; Indicators.snapshot().move)
 *
 * and when |move| > move_guard_natr × natr / 100 (natr in percent) widens each side's spread by
 *
 *   the side the move runs over (the bid after a fall, the ask after a rise):    move_guard_widen × |move|
 *   the side it runs away from (the ask after a fall, the bid after a rise):     move_guard_away × |move|
 *
 * until the move is older than `move_guard_min` candles. The first is against a move that goes on; the second
 * against the sharp turn after a spike (on the perpetual tuning windows, a buy that filled after a rise of 3 mean 1m
 * ranges or more over 5 minutes was 6–9 bps under water 1–5 minutes later; one after a fall of 1–3 was 2–3 bps up).
 * A fall and the same rise mirrored (p → P0² / p) widen the opposite sides by the same amounts, so the guard takes no
 * view on direction. `move_guard_natr` 0 turns it off; so do `move_guard_widen` and `move_guard_away` both 0.
 */
import type { StrategyParams } from "./params.ts";

type GuardParams = Pick<StrategyParams, "move_guard_natr" | "move_guard_widen" | "move_guard_away">;

/** Extra spread of each side, fractions of the reference (0 and 0 when the guard is off or the move is small). */
export function moveGuard(p: GuardParams, move: number | null, natrPct: number): { bid: number; ask: number } {
  const over = p.move_guard_widen > 0 ? p.move_guard_widen : 0, away = p.move_guard_away > 0 ? p.move_guard_away : 0;
  if (!(p.move_guard_natr > 0) || over + away === 0 || move === null || !Number.isFinite(move)) return NO_GUARD;
  if (Math.abs(move) <= p.move_guard_natr * natrPct / 100) return NO_GUARD;
  const size = Math.abs(move);
  return move < 0 ? { bid: over * size, ask: away * size } : { bid: away * size, ask: over * size };
}

const NO_GUARD: Readonly<{ bid: number; ask: number }> = Object.freeze({ bid: 0, ask: 0 });
