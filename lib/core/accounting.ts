/**
 * Accounting from fills (our `Portfolio`): balances, fees, volume and PnL by average cost. Pure, so the engine, the
 * backtest report and the ledger compute every figure the same way.
 *
 * Cash-style for both spot and perp: `base` is the holding (spot) or signed position (perp), `quote`
 * the cash. Equity = base × mid + quote. The starting base is carried at the starting mid, so
 * equity − initial equity = realized + unrealized − fees + funding, exactly (funding: perp payments credited to
 * quote, DESIGN §13; received positive, paid negative).
 */
import type { Fill } from "./types.ts";

export interface Portfolio {
  base: number;
  quote: number;
  /** average cost of the open base (position), quote per base */
  avgCost: number;
  /** PnL locked in by reducing the position, before fees */
  realized: number;
  fees: number;
  /** perp funding received (+) or paid (−), quote; already in `quote` */
  funding: number;
  volumeQuote: number;
  fills: number;
  buys: number;
  sells: number;
}

export function openPortfolio(initialBase: number, initialQuote: number, initialMid: number): Portfolio {
  return {
    base: initialBase,
    quote: initialQuote,
    avgCost: initialMid,
    realized: 0,
    fees: 0,
    funding: 0,
    volumeQuote: 0,
    fills: 0,
    buys: 0,
    sells: 0,
  };
}

/** Applies one fill in place. */
export function applyFill(b: Portfolio, f: Pick<Fill, "side" | "price" | "amount" | "feeQuote">): void {
  const signed = f.side === "buy" ? f.amount : -f.amount;
  const pos = b.base;
  if (pos === 0 || Math.sign(pos) === Math.sign(signed)) {
    // growing the position: new average cost
    b.avgCost = (Math.abs(pos) * b.avgCost + f.amount * f.price) / (Math.abs(pos) + f.amount);
  } else {
    // reducing (maybe flipping): realize on the closed part
    const closed = Math.min(Math.abs(pos), f.amount);
    b.realized += closed * (f.price - b.avgCost) * Math.sign(pos);
    if (f.amount > Math.abs(pos)) b.avgCost = f.price; // flipped: the remainder opens at this price
  }
  b.base += signed;
  b.quote -= signed * f.price + f.feeQuote;
  b.fees += f.feeQuote;
  b.volumeQuote += f.amount * f.price;
  b.fills++;
  if (f.side === "buy") b.buys++;
  else b.sells++;
}

/** Books one funding payment (DESIGN §13: −position × price × rate at a funding time), credited to quote. */
export function applyFunding(b: Portfolio, paymentQuote: number): void {
  b.quote += paymentQuote;
  b.funding += paymentQuote;
}

export const equityOf = (b: Pick<Portfolio, "base" | "quote">, mid: number) => b.base * mid + b.quote;
export const unrealizedOf = (b: Portfolio, mid: number) => b.base * (mid - b.avgCost);

/** Every PnL figure shown to the user, from the portfolio at a mid price. */
export interface PnlSummary {
  base: number;
  quote: number;
  equity: number;
  initialEquity: number;
  /** equity − initial equity = realized + unrealized − fees + funding */
  pnl: number;
  realized: number;
  unrealized: number;
  fees: number;
  funding: number;
  volumeQuote: number;
  fills: number;
  buys: number;
  sells: number;
  /** average cost of the open base / position (the entry price of a perp position) */
  avgCost: number;
}

export function summarize(b: Portfolio, mid: number, initialEquity: number): PnlSummary {
  const equity = equityOf(b, mid);
  return {
    base: b.base,
    quote: b.quote,
    equity,
    initialEquity,
    pnl: equity - initialEquity,
    realized: b.realized,
    unrealized: unrealizedOf(b, mid),
    fees: b.fees,
    funding: b.funding,
    volumeQuote: b.volumeQuote,
    fills: b.fills,
    buys: b.buys,
    sells: b.sells,
    avgCost: b.avgCost,
  };
}
