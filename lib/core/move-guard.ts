/**
 * The fast-move guard (`strategy.move_guard_*`, off at 0, its seed; the schema default is the shipped natr_macd's):
 * after a fast move, the side the move would run over stands further off. A resting bid fills when the price falls
 * through it; if the fall goes on, the fill is the loss the backtest reports as markout (adverse selection). The guard
 * reads the move of the last closed candles,
 *
 *   move = close_last / close_{move_guard_min candles before} − 1          (a fraction; Indicators.snapshot().move)
 *
 * and when |move| > move_guard_natr × natr / 100 (natr in percent) widens one side's spread by
 *
 *   extra = move_guard_widen × |move|      the bid after a fall (move < 0), the ask after a rise (move > 0)
 *
 * so that side sits a share of the move further out until the move is older than `move_guard_min` candles. The
 * other side stays where it was: it is the one that hands the inventory back. A fall and the same rise mirrored
 * (p → P0² / p) widen the opposite sides by the same amount, so the guard takes no view on direction.
 * `move_guard_natr` 0 turns it off; so does `move_guard_widen` 0.
 */
import type { StrategyParams } from "./params.ts";

type GuardParams = Pick<StrategyParams, "move_guard_natr" | "move_guard_widen">;

/** Extra spread of each side, fractions of the reference (0 and 0 when the guard is off or the move is small). */
export function moveGuard(p: GuardParams, move: number | null, natrPct: number): { bid: number; ask: number } {
  if (!(p.move_guard_natr > 0) || !(p.move_guard_widen > 0) || move === null || !Number.isFinite(move)) {
    return NO_GUARD;
  }
  if (Math.abs(move) <= p.move_guard_natr * natrPct / 100) return NO_GUARD;
  const extra = p.move_guard_widen * Math.abs(move);
  return move < 0 ? { bid: extra, ask: 0 } : { bid: 0, ask: extra };
}

const NO_GUARD: Readonly<{ bid: number; ask: number }> = Object.freeze({ bid: 0, ask: 0 });
