/**
 * Perpetual funding, pure (DESIGN §13). Binance USDT-M perpetuals settle funding every 8 hours, at 00:00, 08:00
 * and 16:00 UTC. At a funding time the payment is `−position_base × price × rate`, price = the open of the 1m
 * candle starting at the funding time, credited to quote: a long pays a positive rate, a short receives it.
 */

export const FUNDING_INTERVAL_MS = 8 * 3_600_000;

/** The funding payment at one funding time, quote (received > 0, paid < 0). */
export function fundingPaymentQuote(positionBase: number, price: number, rate: number): number {
  const payment = -positionBase * price * rate;
  return payment === 0 ? 0 : payment; // no −0 in reports
}

/** Funding times t with `afterMs < t ≤ toMs`, oldest first. */
export function fundingTimesBetween(afterMs: number, toMs: number, intervalMs = FUNDING_INTERVAL_MS): number[] {
  const times: number[] = [];
  for (let t = Math.floor(afterMs / intervalMs) * intervalMs + intervalMs; t <= toMs; t += intervalMs) {
    times.push(t);
  }
  return times;
}

/** One funding payment as every layer books it. */
export interface FundingPayment {
  /** unique per account: the venue's income id (live), or `funding-<ts>` (computed) */
  id: string;
  /** the funding time, ms */
  ts: number;
  amountQuote: number;
  /** computed payments: the rate, the price and the position they came from (null when the venue paid) */
  rate: number | null;
  price: number | null;
  positionBase: number | null;
}

/** A computed payment (paper, backtest) at funding time `ts`. */
export function computedFunding(ts: number, positionBase: number, price: number, rate: number): FundingPayment {
  return {
    id: `funding-${ts}`,
    ts,
    amountQuote: fundingPaymentQuote(positionBase, price, rate),
    rate,
    price,
    positionBase,
  };
}

/** Rates by funding time from a `ts,rate` table: exact times only (a time the table lacks has no rate). */
export function rateTable(rows: readonly { ts: number; rate: number }[]): (ts: number) => number | null {
  const byTs = new Map(rows.map((r) => [r.ts, r.rate]));
  return (ts) => byTs.get(ts) ?? null;
}
