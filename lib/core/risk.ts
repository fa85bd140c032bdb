/**
 * Risk gate: whether the market and our equity let the engine quote this tick, and if not, why. Pure.
 * (A pause is not the gate's business: the engine's pause store decides that before the gate is asked.)
 * (The error breaker sits beside it in breaker.ts: a tick whose venue calls fail never reaches the gate.)
 */
import type { RiskLimits } from "./params.ts";

export interface RiskState {
  /** set when drawdown passed the limit; stays until the user resumes */
  killSwitch: boolean;
  nowMs: number;
  /** time the order book was last current, ms */
  bookTs: number;
  natr: number | null;
  equity: number;
  peakEquity: number;
}

export type GateResult =
  | { ok: true }
  | { ok: false; reason: "kill_switch" | "stale_book" | "volatility_cap"; detail: string };

/** The starting balances, held: what the strategy is measured against (risk.drawdown_basis = strategy). */
export interface HeldBalances {
  base: number;
  quote: number;
  /** their value at the start, quote */
  equity: number;
}

/**
 * The equity the kill switch watches (`risk.drawdown_basis`):
 * - `equity`: the account's equity, base × mid + quote: on spot half of it is the base by design, so a falling
 *   market alone trips it;
 * - `strategy` (spot): the starting equity plus what quoting earned over holding the starting balances,
 *     held.equity + equity − (held.base × mid + held.quote),
 *   so its fall from the peak is the strategy's own loss, never the market's. Perps keep `equity`: there the
 *   starting balance is cash and equity already moves only with what the bot did.
 * Worked: 1 ETH + 3000 USDT at 3000 (6000). ETH falls to 2000 with the same balances: equity 5000 (16.7 % down),
 * strategy 6000 + 5000 − 5000 = 6000 (0 % down).
 */
export function riskEquity(
  basis: "strategy" | "equity" | undefined,
  marketType: "spot" | "perp",
  equity: number,
  mid: number,
  held: HeldBalances | null,
): number {
  if (basis === "equity" || marketType === "perp" || held === null) return equity;
  return held.equity + equity - (held.base * mid + held.quote);
}

/** How far equity is below its peak, percent; written as (peak − equity) / peak so that 900 of 1000 is exactly 10. */
export const drawdownPct = (equity: number, peak: number) => (peak > 0 ? (peak - equity) / peak * 100 : 0);

const OPEN: GateResult = Object.freeze({ ok: true });

export function riskGate(s: RiskState, risk: RiskLimits): GateResult {
  const dd = drawdownPct(s.equity, s.peakEquity);
  if (s.killSwitch || dd >= risk.max_drawdown_pct) {
    return {
      ok: false,
      reason: "kill_switch",
      detail: `drawdown ${dd.toFixed(2)} % reached the limit of ${risk.max_drawdown_pct} %`,
    };
  }
  const bookAgeS = (s.nowMs - s.bookTs) / 1000;
  if (bookAgeS > risk.max_book_age_s) {
    return {
      ok: false,
      reason: "stale_book",
      detail: `order book is ${Math.round(bookAgeS)} s old (max ${risk.max_book_age_s} s)`,
    };
  }
  if (s.natr !== null && s.natr > risk.max_natr_pct) {
    return {
      ok: false,
      reason: "volatility_cap",
      detail: `NATR ${s.natr.toFixed(3)} % is above ${risk.max_natr_pct} %`,
    };
  }
  return OPEN;
}
