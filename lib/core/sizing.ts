/**
 * Order sizes: in base (`strategy.order_amount`) or in quote (`strategy.order_value_quote`), on the lot grid, and
 * whether the configured size can meet the venue's minimum notional at a price (the start warning).
 */
import type { StrategyParams } from "./params.ts";
import { ceilToStep, floorToStep } from "./steps.ts";
import type { MarketRules } from "./types.ts";

/**
 * The size of one quote at `price`, on the lot grid: `order_amount`, or `order_value_quote / price` rounded down —
 * and up instead when rounding down would fall below the venue's minimum notional that the value itself meets.
 */
export function orderAmount(p: StrategyParams, price: number, rules: MarketRules): number {
  const value = p.order_value_quote ?? 0;
  if (!(value > 0)) return floorToStep(p.order_amount, rules.lotSize);
  if (!(price > 0)) return 0;
  const down = floorToStep(value / price, rules.lotSize);
  if (down * price >= rules.minNotional || value < rules.minNotional) return down;
  return ceilToStep(value / price, rules.lotSize);
}

/**
 * A warning when orders of the configured size cannot meet the venue's minimum notional at `mid` (each side is then
 * skipped as `min_notional`), saying what to change; null when they can.
 */
export function sizeWarning(p: StrategyParams, rules: MarketRules, mid: number, quote: string): string | null {
  const amount = orderAmount(p, mid, rules);
  const value = amount * mid;
  if (!(mid > 0) || value >= rules.minNotional) return null;
  if (p.order_value_quote) {
    return `WARNING: strategy.order_value_quote ${p.order_value_quote} ${quote} is below the venue's minimum order value ${rules.minNotional} ${quote}: no order can be placed; raise it to at least ${rules.minNotional}`;
  }
  const needed = rules.minNotional / amount;
  return `WARNING: strategy.order_amount ${p.order_amount} × mid ${mid.toFixed(2)} = ${
    value.toFixed(2)
  } ${quote} is below the venue's minimum order value ${rules.minNotional} ${quote}: every quote is skipped until the price is above ${
    needed.toFixed(2)
  }; size orders in quote instead, e.g. --set strategy.order_value_quote=${Math.ceil(rules.minNotional * 1.25)}`;
}
