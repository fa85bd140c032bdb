/**
 * Perpetual margin, pure (DESIGN §13): the initial margin an order or position needs at a leverage, the
 * liquidation price of a one-way USDT-M position, and the liquidation guard's distance.
 *
 * The portfolio is cash-style (lib/core/accounting.ts): `cash` = wallet − position × entry, so the account's
 * equity at a price P is `position × P + cash`. The venue liquidates when that equity falls to the
 * maintenance margin `|position| × P × mmr`:
 * - cross: the whole account backs the position: `P × position + cash = |position| × P × mmr`, so
 *   `P = −cash / (position × (1 − sign(position) × mmr))`;
 * - isolated: only the position's own margin (its initial margin at entry, `|position| × entry / leverage`) backs it:
 *   `margin + position × (P − entry) = |position| × P × mmr`, so
 *   `P = (position × entry − margin) / (position × (1 − sign(position) × mmr))`.
 * A price ≤ 0 means the position cannot be liquidated (a long backed by more than its value): null.
 * This is Binance's formula for one position in one bracket with no maintenance amount; the venue's own
 * figure (read in live mode) also counts other positions and brackets.
 */
import type { Side } from "./types.ts";

export type MarginMode = "cross" | "isolated";

export interface MarginAccount {
  /** signed position in base (long > 0) */
  position: number;
  /** cash-style quote: wallet − position × entry */
  cash: number;
  /** average entry price of the position */
  entryPrice: number;
}

/** The margin an order or position of this value needs at `leverage`, quote. */
export const initialMarginQuote = (notionalQuote: number, leverage: number) => Math.abs(notionalQuote) / leverage;

/** The liquidation price of the position, or null when flat or when no positive price liquidates it. */
export function liquidationPrice(
  a: MarginAccount,
  mode: MarginMode,
  leverage: number,
  maintenanceRate: number,
): number | null {
  const q = a.position;
  if (q === 0 || !Number.isFinite(q)) return null;
  const denominator = q * (1 - Math.sign(q) * maintenanceRate);
  const numerator = mode === "cross" ? -a.cash : q * a.entryPrice - initialMarginQuote(q * a.entryPrice, leverage);
  const p = numerator / denominator;
  return Number.isFinite(p) && p > 0 ? p : null;
}

/**
 * How far the mid is from the liquidation price on the safe side, percent of the mid: positive while the
 * position stands (a long's mid above its liquidation price, a short's below), negative past it
 * (null: flat or no liquidation price). Signed, so that "8.9 % past" never reads as "8.9 % away".
 */
export function liquidationDistancePct(mid: number, liquidation: number | null, position: number): number | null {
  if (liquidation === null || !(mid > 0) || position === 0 || !Number.isFinite(position)) return null;
  return Math.sign(position) * (mid - liquidation) / mid * 100;
}

/**
 * The client order id a venue gives the order that closes a liquidated position. Binance USDT-M names its
 * liquidation orders `autoclose-<time>`; the paper venue does the same, so a liquidation is a fill like any
 * other (the ledger and the portfolio book it) that every reader can tell apart.
 */
export const LIQUIDATION_ORDER_PREFIX = "autoclose-";

export const isLiquidation = (fill: { clientOrderId: string }): boolean =>
  fill.clientOrderId.startsWith(LIQUIDATION_ORDER_PREFIX);

/** Words for a signed distance: e.g. 1.23 % from the price while the position stands, 4.56 % past it beyond. */
export const distanceWords = (pct: number): string =>
  pct >= 0 ? `${pct.toFixed(2)} % from` : `${(-pct).toFixed(2)} % past`;

/** The side that adds to the position (a long grows by buying, a short by selling); null when flat. */
export function addingSide(position: number): Side | null {
  return position > 0 ? "buy" : position < 0 ? "sell" : null;
}

export interface MarginCheck {
  /** the order may be placed */
  ok: boolean;
  /** margin the position and the open orders (this one included) would need, quote */
  requiredQuote: number;
  /** equity at the mark price, quote: what the venue lets the margin come from */
  equityQuote: number;
}

/**
 * Whether the account can carry one more order, as a one-way USDT-M venue checks it: the initial margin of the
 * position as it would be if every open order on one side filled (the worse side, this order included), at the
 * mark price, must not exceed the equity. Orders that reduce the position need no margin of their own. `openBuys`,
 * `openSells`: what rests of the open orders, base, summed by side (no list and no object an order a placement).
 */
export function checkMargin(
  a: Pick<MarginAccount, "position" | "cash">,
  openBuys: number,
  openSells: number,
  order: { side: Side; amount: number },
  markPrice: number,
  leverage: number,
): MarginCheck {
  const buys = order.side === "buy" ? openBuys + order.amount : openBuys;
  const sells = order.side === "buy" ? openSells : openSells + order.amount;
  const worst = Math.max(Math.abs(a.position + buys), Math.abs(a.position - sells));
  const requiredQuote = initialMarginQuote(worst * markPrice, leverage);
  const equityQuote = a.position * markPrice + a.cash;
  const reduces = order.side === "buy" ? a.position < 0 : a.position > 0;
  const grows = worst > Math.abs(a.position);
  return { ok: requiredQuote <= equityQuote || (reduces && !grows), requiredQuote, equityQuote };
}

/** The position's entry price after a fill of `signedAmount` at `price` (as the venue keeps it; 0 when flat). */
export function entryAfterFill(entry: number, position: number, signedAmount: number, price: number): number {
  const after = position + signedAmount;
  if (after === 0 || !Number.isFinite(after)) return 0;
  if (position === 0 || Math.sign(position) !== Math.sign(after)) return price; // opened or flipped here
  if (Math.sign(signedAmount) !== Math.sign(position)) return entry; // reduced: the rest keeps its entry
  return (Math.abs(position) * entry + Math.abs(signedAmount) * price) / Math.abs(after);
}
