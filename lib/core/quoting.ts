/**
 * Quoting: a pure function from (top of book, indicators, inventory, parameters) to the two quotes we
 * want resting, plus every intermediate figure for status screens. DESIGN §4, term by term.
 */
import type { IndicatorSnapshot } from "./indicators.ts";
import { addingSide, distanceWords, liquidationDistancePct } from "./margin.ts";
import { orderAmount } from "./sizing.ts";
import { type AsFigures, avellanedaStoikov, inventoryInOrders } from "./avellaneda.ts";
import { inventoryControl } from "./inventory.ts";
import { levelStep } from "./levels.ts";
import { moveGuard } from "./move-guard.ts";
import { rangeGuard } from "./range-guard.ts";
import { unwind } from "./unwind.ts";
import { ladder, sideCheck } from "./quote-guards.ts";
import { QuoteRecord } from "./quote-record.ts";
import type { StrategyParams } from "./params.ts";
import { ceilToStep, clamp, floorToStep, midOf } from "./steps.ts";
import { feeFloorBps, modelSpreads } from "./spreads.ts";
import {
  CANDLE_MS,
  type Inventory,
  type MarketRules,
  type MarketType,
  type Quote,
  type Side,
  type TopOfBook,
} from "./types.ts";

export interface QuoteFigures {
  mid: number;
  /** NATR in percent */
  natr: number;
  /** model spreads around the reference, bps */
  bidSpreadBps: number;
  askSpreadBps: number;
  /** trend signal s in [-1, 1] */
  trend: number;
  /** max_shift as a fraction of mid */
  maxShift: number;
  /** spot: base share of equity; perp: 0.5 + position share of the limit */
  inventoryRatio: number;
  /** (target − ratio) / target, clamped to [-1, 1] */
  inventoryDelta: number;
  /** s × max_shift */
  trendShift: number;
  /** delta × max_shift × inventory_scalar */
  inventoryShift: number;
  reference: number;
  /** inventory control's shift of the reference, fraction (lib/core/inventory.ts) */
  skewShift: number;
  /** share of the inventory band used, −1..1 */
  bandUsed: number;
  /** the `as` profile's figures (null for the others) */
  as: AsFigures | null;
  /** final distances from mid, bps (after guards and rounding; null when that side is not quoted) */
  bidDistanceBps: number | null;
  askDistanceBps: number | null;
}

/**
 * Why a side was not quoted, as a code the backtest counts (DESIGN §14 `skipped`). `position_limit` is the perp's
 * max_position_notional; `lot_size` an amount that rounds to nothing; `bad_price` a non-positive price.
 */
export type SkipReason =
  | "inventory_limit"
  | "position_limit"
  | "min_notional"
  | "lot_size"
  | "funds"
  | "bad_price"
  | "liquidation_guard"
  | "unwind";

/** A side not quoted: the code and the sentence for the user. */
export interface Skip {
  reason: SkipReason;
  detail: string;
}

/** Which side inventory has run past `max_inventory_deviation` on, if any. */
export type InventoryLimit = "base_high" | "base_low" | null;

export type QuoteDecision =
  | {
    action: "quote";
    /** level 0 of each side (null when that side is not quoted) */
    bid: Quote | null;
    ask: Quote | null;
    /** every level of each side, level 0 first (`strategy.levels`; empty when that side is not quoted) */
    bids: Quote[];
    asks: Quote[];
    /** why a side is not quoted */
    skipped: { bid?: Skip; ask?: Skip };
    inventoryLimit: InventoryLimit;
    figures: QuoteFigures;
  }
  | { action: "stand_aside"; reason: StandAsideReason; detail: string; figures: null };

/** Why nothing is quoted this tick, as a code (the backtest counts them). */
export type StandAsideReason = "warming_up" | "stale_candles" | "bad_input";

export interface QuoteInput {
  nowMs: number;
  topOfBook: TopOfBook;
  rules: MarketRules;
  indicators: IndicatorSnapshot;
  inventory: Inventory;
  marketType: MarketType;
  params: StrategyParams;
  /** perp: stop adding to the position while the mid is within this % of `inventory.liquidationPrice` (0: off) */
  liquidationGuardPct?: number;
  /** market.maker_fee_bps: with strategy.fee_floor, each side stays at least this far from mid (lib/core/spreads.ts) */
  makerFeeBps: number;
}

const standAside = (detail: string, reason: StandAsideReason = "bad_input"): QuoteDecision => ({
  action: "stand_aside",
  reason,
  detail,
  figures: null,
});
const positive = (x: number) => Number.isFinite(x) && x > 0;

/** Trend signal s ∈ [-1, 1] by profile; `fixed` has none. */
export function trendSignal(ind: IndicatorSnapshot, p: StrategyParams): number {
  if (p.profile === "natr_macd") {
    if (!ind.macd || !ind.atr || !(ind.atr > 0)) return 0;
    return clamp(ind.macd.histogram / ind.atr, -1, 1);
  }
  if (p.profile === "natr_rsi") {
    if (ind.rsi === null) return 0;
    return clamp(p.trend_scalar * (ind.rsi - 50) / 50, -1, 1);
  }
  return 0;
}

/** Inventory ratio: spot base share of equity; perp 0.5 + position notional over twice the limit. */
export function inventoryRatio(inv: Inventory, mid: number, type: MarketType, p: StrategyParams) {
  if (type === "perp") {
    const notional = (inv.position ?? 0) * mid;
    return 0.5 + clamp(notional / (2 * p.max_position_notional), -0.5, 0.5);
  }
  const baseValue = inv.base * mid;
  const equity = baseValue + inv.quote;
  return equity > 0 ? baseValue / equity : NaN;
}

/** DESIGN §4: the quotes we want resting now, or why we stand aside. Never throws. */
export const computeQuotes = (input: QuoteInput): QuoteDecision => computeQuotesInto(input, new QuoteRecord());

/** The same, a quote decision written into `record` (quote-record.ts: the caller's, kept from tick to tick). */
export function computeQuotesInto(input: QuoteInput, record: QuoteRecord): QuoteDecision {
  const { topOfBook: top, rules, indicators: ind, inventory: inv, params: p } = input;

  // Bad market input: stand aside with a reason rather than quote on garbage.
  if (!positive(top.bestBid) || !positive(top.bestAsk)) {
    return standAside(`bad order book: best bid ${top.bestBid}, best ask ${top.bestAsk}`);
  }
  if (top.bestBid >= top.bestAsk) {
    return standAside(`crossed order book: best bid ${top.bestBid} ≥ best ask ${top.bestAsk}`);
  }
  if (!positive(rules.tickSize) || !positive(rules.lotSize) || !(rules.minNotional >= 0)) {
    return standAside(
      `bad market rules: tick ${rules.tickSize}, lot ${rules.lotSize}, min notional ${rules.minNotional}`,
    );
  }
  if (!ind.ready) return standAside(`warming up (${ind.count}/${ind.required} candles)`, "warming_up");
  if (ind.lastCandleTs === null) return standAside("no candles", "warming_up");
  const candleAgeS = (input.nowMs - (ind.lastCandleTs + CANDLE_MS)) / 1000;
  if (candleAgeS > p.max_candle_age_s) {
    return standAside(
      `stale candles: last closed candle ended ${Math.round(candleAgeS)} s ago (max ${p.max_candle_age_s} s)`,
      "stale_candles",
    );
  }
  const natr = ind.natr;
  if (natr === null || !Number.isFinite(natr) || natr < 0) return standAside(`bad NATR: ${natr}`);
  if (!Number.isFinite(inv.base) || !Number.isFinite(inv.quote) || !Number.isFinite(inv.position ?? 0)) {
    return standAside(`bad balances: base ${inv.base}, quote ${inv.quote}, position ${inv.position}`);
  }

  const mid = midOf(top);

  const ratio = inventoryRatio(inv, mid, input.marketType, p);
  if (!Number.isFinite(ratio)) return standAside("no equity: base and quote balances are both zero");

  // Spreads (fractions of the reference) and shifts of the reference price: the seed formulas, or A–S's.
  let bidSpread: number, askSpread: number, s = 0, maxShift = 0, delta = 0, trendShift = 0, inventoryShift: number;
  let as: AsFigures | null = null;
  if (p.profile === "as") {
    if (ind.sigma === null || !Number.isFinite(ind.sigma)) return standAside(`bad σ: ${ind.sigma}`);
    const q = inventoryInOrders(inv, mid, input.marketType === "perp", p.target_base_ratio, orderAmount(p, mid, rules));
    as = avellanedaStoikov(p, ind.sigma, q);
    bidSpread = askSpread = as.halfSpread;
    inventoryShift = as.reservationShift;
  } else {
    ({ bid: bidSpread, ask: askSpread } = modelSpreads(p, natr));
    s = trendSignal(ind, p);
    maxShift = p.shift_multiplier * natr / 100;
    delta = clamp((p.target_base_ratio - ratio) / p.target_base_ratio, -1, 1);
    trendShift = s * maxShift;
    inventoryShift = delta * maxShift * p.inventory_scalar;
  }
  // inventory control (lib/core/inventory.ts): a skew that brings the inventory back, a smaller adding side
  const control = inventoryControl(p, ratio, bidSpread, askSpread);
  // the fast-move guard (lib/core/move-guard.ts), after the skew: it moves one side out, not the reference
  const guard = moveGuard(p, ind.move, natr);
  // the calm filter (lib/core/range-guard.ts): both sides further off while a wide candle is recent
  const calm = rangeGuard(p, ind.range, natr);
  bidSpread += guard.bid + calm;
  askSpread += guard.ask + calm;
  const reference = mid * (1 + trendShift) * (1 + inventoryShift) * (1 + control.skewShift);
  // the unwind (lib/core/unwind.ts): a perp position under water; the reducing side near the mid, the other aside
  const out = input.marketType === "perp" ? unwind(p, inv.position ?? 0, inv.entryPrice, mid, natr) : null;
  let modelBid = reference * (1 - bidSpread), modelAsk = reference * (1 + askSpread);
  if (out !== null && out.adding === "sell") modelBid = Math.max(modelBid, mid * (1 - out.offset));
  if (out !== null && out.adding === "buy") modelAsk = Math.min(modelAsk, mid * (1 + out.offset));

  // Guards: outside the top of book, at least min_spread_bps (and the fee floor) from mid, rounded away from mid.
  const minSpread = Math.max(p.min_spread_bps, feeFloorBps(p, input.makerFeeBps)) / 10_000;
  const rawBid = Math.min(modelBid, top.bestBid, mid * (1 - minSpread));
  const rawAsk = Math.max(modelAsk, top.bestAsk, mid * (1 + minSpread));
  const bidPrice = floorToStep(rawBid, rules.tickSize);
  const askPrice = ceilToStep(rawAsk, rules.tickSize);
  const bidAmount = scaled(orderAmount(p, bidPrice, rules), control.bidScale, rules.lotSize);
  const askAmount = scaled(orderAmount(p, askPrice, rules), control.askScale, rules.lotSize);

  let skipBid: Skip | undefined, skipAsk: Skip | undefined;
  const deviation = ratio - p.target_base_ratio;
  const inventoryLimit: InventoryLimit = deviation > p.max_inventory_deviation
    ? "base_high"
    : -deviation > p.max_inventory_deviation
    ? "base_low"
    : null;
  if (inventoryLimit !== null) {
    const [where, sign] = inventoryLimit === "base_high" ? ["above", "+"] : ["below", "−"];
    const detail = `inventory ratio ${
      ratio.toFixed(3)
    } is ${where} target ${p.target_base_ratio} ${sign} ${p.max_inventory_deviation}`;
    if (inventoryLimit === "base_high") skipBid = { reason: "inventory_limit", detail };
    else skipAsk = { reason: "inventory_limit", detail };
  }

  const liquidation = liquidationGuard(input, mid);
  if (liquidation && liquidation.side === "buy") skipBid ??= liquidation.skip;
  if (liquidation && liquidation.side === "sell") skipAsk ??= liquidation.skip;
  if (out !== null && out.adding === "buy") skipBid ??= unwindSkip(out);
  if (out !== null && out.adding === "sell") skipAsk ??= unwindSkip(out);

  skipBid ??= sideCheck(input, mid, "buy", bidPrice, bidAmount, 0, 0);
  skipAsk ??= sideCheck(input, mid, "sell", askPrice, askAmount, 0, 0);
  // only the sides skipped are keys (a plain literal: `delete` would turn the object into a slow dictionary)
  const skipped: { bid?: Skip; ask?: Skip } = skipBid
    ? (skipAsk ? { bid: skipBid, ask: skipAsk } : { bid: skipBid })
    : skipAsk
    ? { ask: skipAsk }
    : {};

  const bid = skipBid ? null : record.quote("buy", bidPrice, bidAmount);
  const ask = skipAsk ? null : record.quote("sell", askPrice, askAmount);
  // levels (lib/core/levels.ts): more quotes behind level 0, each with the guards; the first that fails ends the side
  const step = p.levels > 1 ? levelStep(p, natr) : 0;
  const d = record.decision, f = record.figures;
  d.bid = bid;
  d.ask = ask;
  d.bids = ladder(input, mid, "buy", bid, rawBid, step, record);
  d.asks = ladder(input, mid, "sell", ask, rawAsk, step, record);
  d.skipped = skipped;
  d.inventoryLimit = inventoryLimit;
  f.mid = mid;
  f.natr = natr;
  f.bidSpreadBps = bidSpread * 10_000;
  f.askSpreadBps = askSpread * 10_000;
  f.trend = s;
  f.maxShift = maxShift;
  f.inventoryRatio = ratio;
  f.inventoryDelta = delta;
  f.trendShift = trendShift;
  f.inventoryShift = inventoryShift;
  f.reference = reference;
  f.skewShift = control.skewShift;
  f.bandUsed = control.bandUsed;
  f.as = as;
  f.bidDistanceBps = bid ? (mid - bid.price) / mid * 10_000 : null;
  f.askDistanceBps = ask ? (ask.price - mid) / mid * 10_000 : null;
  return d;
}

/** An amount shrunk by inventory control, on the lot grid (a factor of 1 keeps it as it is). */
const scaled = (
  amount: number,
  factor: number,
  lot: number,
) => (factor === 1 ? amount : floorToStep(amount * factor, lot));

/** The adding side of a position under water (lib/core/unwind.ts): the code and the sentence. */
const unwindSkip = (u: NonNullable<ReturnType<typeof unwind>>): Skip => ({
  reason: "unwind",
  detail: `the ${u.adding === "buy" ? "long" : "short"} is ${(u.loss * 10_000).toFixed(1)} bps under water (unwind ${
    (u.threshold * 10_000).toFixed(1)
  } bps): not adding to it, the ${u.adding === "buy" ? "ask" : "bid"} ${
    (u.offset * 10_000).toFixed(1)
  } bps from mid hands it back`,
});

/** The liquidation guard (perp): the side that adds to the position, while the mid is too near liquidation. */
function liquidationGuard(input: QuoteInput, mid: number): { side: Side; skip: Skip } | null {
  const pct = input.liquidationGuardPct ?? 0;
  const liq = input.inventory.liquidationPrice ?? null;
  const side = addingSide(input.inventory.position ?? 0);
  // signed: past the liquidation price the distance is negative, and the guard holds all the more
  const distance = liquidationDistancePct(mid, liq, input.inventory.position ?? 0);
  if (input.marketType !== "perp" || !(pct > 0) || side === null || distance === null || distance >= pct) return null;
  return {
    side,
    skip: {
      reason: "liquidation_guard",
      detail: `mid ${mid} is ${distanceWords(distance)} the liquidation price ${
        liq!.toFixed(2)
      } (guard ${pct} %): not adding to the ${side === "buy" ? "long" : "short"}`,
    },
  };
}
