/**
 * The guards of one quote (a positive price, an amount on the lot, the minimum notional, the funds or the perp's
 * position limit) and the levels behind level 0, each guarded (DESIGN §4). Plain functions, not closures made per
 * tick: computeQuotes runs on every tick.
 */
import { levelAmount, levelPrice } from "./levels.ts";
import type { QuoteInput, Skip, SkipReason } from "./quoting.ts";
import type { QuoteRecord } from "./quote-record.ts";
import type { Quote, Side } from "./types.ts";

const skip = (reason: SkipReason, detail: string): Skip => ({ reason, detail });

/**
 * The guards of one quote; `beforeNotional` / `beforeAmount`: what the side's lower levels already commit (funds,
 * position), as two numbers (an object for them was made for every level of every tick).
 */
export function sideCheck(
  input: QuoteInput,
  mid: number,
  side: Side,
  price: number,
  amount: number,
  beforeNotional: number,
  beforeAmount: number,
): Skip | undefined {
  const { params: p, rules, inventory: inv } = input;
  if (!(price > 0)) return skip("bad_price", `price ${price} is not positive`);
  if (!(amount > 0)) {
    const size = p.order_value_quote
      ? `order value ${p.order_value_quote} at ${price}`
      : `order amount ${p.order_amount}`;
    return skip("lot_size", `${size} is below the lot size ${rules.lotSize}`);
  }
  const notional = price * amount;
  if (notional < rules.minNotional) {
    return skip(
      "min_notional",
      `order value ${notional.toFixed(2)} is below the minimum notional ${rules.minNotional}`,
    );
  }
  if (input.marketType === "perp") {
    const position = (inv.position ?? 0) * mid;
    const added = beforeNotional + notional;
    const after = side === "buy" ? position + added : position - added;
    if (Math.abs(after) > p.max_position_notional && Math.abs(after) > Math.abs(position)) {
      return skip(
        "position_limit",
        `position would reach ${after.toFixed(2)}, past max_position_notional ${p.max_position_notional}`,
      );
    }
    return undefined;
  }
  if (side === "buy" && inv.quote < beforeNotional + notional) {
    return skip("funds", `quote balance ${inv.quote} is below the order value ${notional.toFixed(2)}`);
  }
  if (side === "sell" && inv.base < beforeAmount + amount) {
    return skip("funds", `base balance ${inv.base} is below the order amount ${amount}`);
  }
  return undefined;
}

/**
 * Every level of one side, level 0 first: each with the guards; the first that fails ends the side. Written into
 * `record`'s list and quotes for the side (quote-record.ts).
 */
export function ladder(
  input: QuoteInput,
  mid: number,
  side: Side,
  q: Quote | null,
  raw: number,
  step: number,
  record: QuoteRecord,
): Quote[] {
  const out = record.levels(side);
  if (!q) return out;
  const p = input.params, rules = input.rules;
  out.push(q);
  let notional = q.price * q.amount, amount = q.amount;
  for (let k = 1; k < p.levels; k++) {
    const price = levelPrice(side, k, raw, step, rules.tickSize);
    const size = levelAmount(p, k, q.amount, rules.lotSize);
    if (sideCheck(input, mid, side, price, size, notional, amount)) break;
    out.push(record.level(side, k, price, size));
    notional = notional + price * size;
    amount = amount + size;
  }
  return out;
}
