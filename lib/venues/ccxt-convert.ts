/** ccxt's shapes → ours: top of book, candles, orders and fees as the exchange port speaks them. */
import type { Exchange, OHLCV, Order as CcxtOrder, Trade } from "ccxt";
import type { Candle, MarketRules, Order, TopOfBook } from "../core/types.ts";
import { ConfigError } from "../config/validate.ts";

/** The best bid and ask of a ccxt order book, current as of `asOfMs`; throws on an unusable (empty or crossed) book. */
export function topOfBookFrom(ob: { bids: unknown[][]; asks: unknown[][] }, asOfMs: number): TopOfBook {
  const bid = Number(ob.bids[0]?.[0]), ask = Number(ob.asks[0]?.[0]);
  if (!(bid > 0) || !(ask > 0) || bid >= ask) throw new Error(`unusable order book: bid ${bid}, ask ${ask}`);
  return { ts: asOfMs, bestBid: bid, bestAsk: ask };
}

/**
 * When an order book is current as of, by the venue's own account: its timestamp when it carries one
 * (futures depth), else the first time we saw its update id (spot depth carries no time, only
 * Binance's lastUpdateId, which ccxt puts in `nonce`). A book that stops changing keeps the time of
 * its first sighting, so it ages and the risk gate's max_book_age_s sees it. One per venue.
 */
export class BookClock {
  #nonce: number | null = null;
  #firstSeenMs = 0;

  asOf(ob: { timestamp?: number | null; nonce?: number | null }, nowMs: number): number {
    if (ob.timestamp != null) return ob.timestamp;
    if (ob.nonce == null) return nowMs; // neither: the moment we received it
    if (ob.nonce !== this.#nonce) {
      this.#nonce = ob.nonce;
      this.#firstSeenMs = nowMs;
    }
    return this.#firstSeenMs;
  }
}

export const candleFrom = ([ts, open, high, low, close, volume]: OHLCV): Candle => ({
  ts: Number(ts),
  open: Number(open),
  high: Number(high),
  low: Number(low),
  close: Number(close),
  volume: Number(volume),
});

export function orderFrom(o: CcxtOrder, nowMs: number): Order {
  // ccxt's words translated here, once: its "closed" is our "filled", its "canceled" our "cancelled"
  const status = o.status === "closed" ? "filled" : o.status === "canceled" ? "cancelled" : "open";
  return {
    clientOrderId: o.clientOrderId ?? "",
    venueOrderId: String(o.id),
    side: o.side as Order["side"],
    price: Number(o.price),
    amount: Number(o.amount),
    filled: Number(o.filled ?? 0),
    status: o.status === "rejected" ? "rejected" : status,
    ts: Number(o.timestamp ?? nowMs),
  };
}

/** A fill's fee: its value in quote, and the asset and amount paid when that is neither base nor quote. */
export interface FeeParts {
  feeQuote: number;
  feeAsset?: string;
  feeAmount?: number;
}

/**
 * A trade's fee: in quote as paid, in base converted at the trade's price, in any other asset (BNB on Binance) kept
 * as paid and valued in quote at `priceOf(asset)` (the venue's ticker now), so that PnL counts it.
 */
export async function feeOf(
  t: Pick<Trade, "fee" | "price"> & { fees?: Trade["fee"][] },
  base: string,
  quote: string,
  priceOf: (asset: string) => Promise<number>,
): Promise<FeeParts> {
  // ccxt's `fees` lists every fee of the trade (Binance: one); `fee` is the single one
  const fees = (t.fees?.length ? t.fees : [t.fee]).filter((f) => f && Number(f.cost));
  const parts: FeeParts = { feeQuote: 0 };
  for (const f of fees) {
    const cost = Number(f!.cost), asset = f!.currency ?? quote;
    if (asset === quote) parts.feeQuote += cost;
    else if (asset === base) parts.feeQuote += cost * Number(t.price);
    else {
      parts.feeQuote += cost * await priceOf(asset);
      parts.feeAsset = asset;
      parts.feeAmount = (parts.feeAmount ?? 0) + cost;
    }
  }
  return parts;
}

/** ccxt's precision modes (ccxt.functions): what a market's `precision.price` / `precision.amount` means. */
export const PRECISION_MODES = { DECIMAL_PLACES: 2, SIGNIFICANT_DIGITS: 3, TICK_SIZE: 4 } as const;

/**
 * A market's precision as a step: the step itself on TICK_SIZE exchanges (Binance), 10^−n on DECIMAL_PLACES
 * exchanges. SIGNIFICANT_DIGITS exchanges have no fixed step, which quoting on a tick grid needs: null.
 */
export function stepOf(precision: number | string | undefined, mode: number): number | null {
  const p = Number(precision);
  if (!Number.isFinite(p)) return null;
  if (mode === PRECISION_MODES.TICK_SIZE) return p > 0 ? p : null;
  if (mode === PRECISION_MODES.DECIMAL_PLACES) return Number.isInteger(p) ? Number((10 ** -p).toPrecision(12)) : null;
  return null;
}

/**
 * A price as the venue formats it (ccxt's priceToPrecision rounds to the nearest step), kept on our side of the
 * wanted price: a bid never rounds up, an ask never down (one step back when ccxt rounded the wrong way).
 */
export function directedPrice(format: (p: number) => number, wanted: number, side: "buy" | "sell", tick: number) {
  const p = format(wanted), slack = tick * 1e-9; // a price already on the grid is left as it is
  if (side === "buy" && p > wanted + slack) return format(p - tick);
  if (side === "sell" && p < wanted - slack) return format(p + tick);
  return p;
}

/**
 * The market's rules from the venue's loaded markets; a ConfigError when the symbol is not listed, is not of the
 * configured type, or states its precision without a fixed step.
 */
export function marketRules(venue: Exchange, symbol: string, perp: boolean): MarketRules {
  const m = venue.markets?.[symbol];
  if (!m) {
    throw new ConfigError([
      `market.symbol: ${JSON.stringify(symbol)} is not listed on ${venue.id}; e.g. ${
        Object.keys(venue.markets ?? {}).slice(0, 5).join(", ")
      }`,
    ]);
  }
  if (perp !== Boolean(m.contract)) {
    throw new ConfigError([
      `market.type: ${perp ? "perp" : "spot"} does not match ${symbol} on ${venue.id}, which is ${
        m.contract ? "a perpetual (use market.type=perp)" : "spot (use market.type=spot)"
      }`,
    ]);
  }
  return rulesFrom(m, Number(venue.precisionMode), `${venue.id} ${symbol}`);
}

/** Tick, lot and minimum notional of a ccxt market; a ConfigError when its precision has no fixed step. */
export function rulesFrom(
  m: { precision: { price?: number | string; amount?: number | string }; limits: { cost?: { min?: number } } },
  mode: number,
  what: string,
): MarketRules {
  const tickSize = stepOf(m.precision.price, mode), lotSize = stepOf(m.precision.amount, mode);
  if (tickSize === null || lotSize === null) {
    throw new ConfigError([
      `market.exchange: ${what} states its precision as ${
        JSON.stringify(m.precision)
      } in ccxt precision mode ${mode}; mmbot needs a tick and a lot size (ccxt's TICK_SIZE or DECIMAL_PLACES modes, e.g. binance, binanceusdm)`,
    ]);
  }
  return { tickSize, lotSize, minNotional: Number(m.limits.cost?.min ?? 0) };
}

/** Trade ids already turned into fills, the newest `capacity` of them (far more than one fetch returns). */
export class TakenTrades {
  readonly #ids = new Set<string>();
  constructor(readonly capacity = 10_000) {}

  has(id: string): boolean {
    return this.#ids.has(id);
  }

  add(ids: readonly string[]): void {
    for (const id of ids) this.#ids.add(id);
    for (const id of this.#ids) {
      if (this.#ids.size <= this.capacity) break;
      this.#ids.delete(id); // the oldest first: a Set keeps insertion order
    }
  }
}

/** An asset's price in the market's quote from the venue's ticker (its spot pair, else its perpetual). */
export async function priceOf(
  venue: Exchange,
  asset: string,
  call: <T>(what: string, fn: () => Promise<T>) => Promise<T>,
  quote = "USDT",
): Promise<number> {
  const spot = `${asset}/${quote}`;
  const symbol = venue.markets?.[spot] ? spot : `${spot}:${quote}`;
  const t = await call("fetchTicker", () => venue.fetchTicker(symbol));
  const price = Number(t.last ?? t.close);
  if (!(price > 0)) throw new Error(`no price for ${asset} in ${quote} (${symbol}) to value a fee paid in it`);
  return price;
}
