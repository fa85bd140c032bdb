/**
 * Paper exchange: simulated orders, balances and fills against public market data.
 *
 * Fill model (honest by construction):
 * - a resting order fills only while the market trades strictly through its price; touching is not enough;
 * - an order placed at time t only sees price action after t (no look-ahead);
 * - each fill takes at most `max_volume_share` of the volume traded through the price, rounded down to the lot;
 * - fills happen at the order's limit price and pay the maker fee in quote;
 * - a post-only order that would cross the book is rejected;
 * - spot balances never go negative: an order must be covered by free funds when placed;
 * - perp orders must be carried by the margin at `market.leverage` (lib/core/margin.ts), else they are rejected as
 *   the venue rejects them ("Margin is insufficient"); the liquidation price is computed from the account;
 * - perp liquidation: when the market trades through the position's liquidation price, the venue takes over: every
 *   open order is cancelled and the position is closed at the liquidation price as a fill `autoclose-<ts>`
 *   (Binance's id for it) paying `paper.liquidation_fee_pct` of its value, at most what margin is left (cross:
 *   the account's equity; isolated: the position's maintenance margin); the account goes on with what remains.
 *   It is checked with the position held when a look begins and again after that look's fills.
 * Perp accounting is cash-style: `base` is the signed position, `quote` the cash balance.
 */
import type { Candle, Clock, Fill, Inventory, MarketRules, Order, PlaceOrder, Side, TopOfBook } from "../core/types.ts";
import type { Config } from "../config/schema.ts";
import { type ExchangePort, OrderRejected } from "./port.ts";
import { floorToStep, midOf } from "../core/steps.ts";
import { IdSequence } from "../core/id-sequence.ts";
import {
  checkMargin,
  entryAfterFill,
  LIQUIDATION_ORDER_PREFIX,
  liquidationPrice,
  type MarginMode,
} from "../core/margin.ts";
import type { MarketFeed } from "./feed.ts";

const reject = (reason: OrderRejected["reason"], message: string) => new OrderRejected(reason, message);

/** Most ticks there is nothing new: one shared, frozen empty answer instead of a new array each time. */
const NO_FILLS = Object.freeze([]) as unknown as Fill[];

export interface PaperAccount {
  base: number;
  quote: number;
  /** perp: the position's entry price (0 or absent when flat) */
  entry?: number;
}

export class PaperExchange implements ExchangePort {
  /** open orders, oldest first: a handful at most, so a list beats a Map keyed by fresh id strings */
  #orders: Order[] = [];
  readonly #fills: Fill[] = [];
  readonly #idPrefix: string;
  #processedTo: number;
  readonly #venueIds: IdSequence;
  #tradeSeq = 0;
  readonly #rules: MarketRules;
  readonly #feeRate: number;
  readonly #share: number;
  readonly #perp: boolean;
  readonly #margin: { leverage: number; mode: MarginMode; maintenanceRate: number; liquidationFeeRate: number };

  constructor(
    readonly feed: MarketFeed,
    readonly clock: Clock,
    config: Pick<Config, "market" | "paper">,
    readonly account: PaperAccount = { base: config.paper.initial_base, quote: config.paper.initial_quote },
    /** trade and order ids start with it: random by default, so ids stay unique across restarts that share a
     * ledger; a backtest passes a fixed one so that the same data gives the same report, byte for byte */
    idPrefix = `paper-${crypto.randomUUID().slice(0, 8)}-`,
  ) {
    this.#idPrefix = idPrefix;
    this.#venueIds = new IdSequence(`${idPrefix}o`);
    this.#rules = {
      tickSize: config.market.tick_size,
      lotSize: config.market.lot_size,
      minNotional: config.market.min_notional,
    };
    this.#feeRate = config.market.maker_fee_bps / 10_000;
    this.#share = config.paper.max_volume_share;
    this.#perp = config.market.type === "perp";
    this.#margin = {
      leverage: config.market.leverage,
      mode: config.market.margin_mode,
      maintenanceRate: config.paper.maintenance_margin_pct / 100,
      liquidationFeeRate: config.paper.liquidation_fee_pct / 100,
    };
    this.#processedTo = clock.now();
  }

  // Every answer is immediate (no promise): the engine awaits nothing in a backtest.

  rules(): MarketRules {
    return this.#rules;
  }

  topOfBook(): TopOfBook {
    const now = this.#advance();
    const top = this.feed.topOfBook(now);
    if (!top) throw new Error(`no market data at ${new Date(now).toISOString()}`);
    return top;
  }

  closedCandles(sinceTs: number | null, limit: number): Candle[] {
    return this.feed.closedCandles(this.clock.now(), sinceTs, limit);
  }

  balances(): Inventory {
    this.#advance();
    const { base, quote } = this.account;
    if (!this.#perp) return { base, quote };
    const entryPrice = base === 0 ? null : this.account.entry ?? null;
    return { base: 0, quote, position: base, entryPrice, liquidationPrice: this.liquidationPrice() };
  }

  /** perp: the position's liquidation price as computed from the account (null: flat, or none). */
  liquidationPrice(): number | null {
    const { base: position, quote: cash, entry } = this.account;
    const { mode, leverage, maintenanceRate } = this.#margin;
    return liquidationPrice({ position, cash, entryPrice: entry ?? 0 }, mode, leverage, maintenanceRate);
  }

  openOrders(prefix: string): Order[] {
    this.#advance();
    const mine: Order[] = [];
    for (const o of this.#orders) if (o.clientOrderId.startsWith(prefix)) mine.push(o);
    return mine;
  }

  place(req: PlaceOrder): Order | OrderRejected {
    const now = this.#advance();
    const { tickSize, lotSize, minNotional } = this.#rules;
    if (!(req.price > 0) || Math.abs(floorToStep(req.price, tickSize) - req.price) > tickSize * 1e-6) {
      return reject("invalid", `price ${req.price} is not a positive multiple of the tick ${tickSize}`);
    }
    if (!(req.amount > 0) || Math.abs(floorToStep(req.amount, lotSize) - req.amount) > lotSize * 1e-6) {
      return reject("invalid", `amount ${req.amount} is not a positive multiple of the lot ${lotSize}`);
    }
    if (req.price * req.amount < minNotional) {
      return reject("invalid", `order value ${req.price * req.amount} is below the minimum notional ${minNotional}`);
    }
    if (this.#find(req.clientOrderId) >= 0) return reject("invalid", `duplicate client order id ${req.clientOrderId}`);
    const top = this.feed.topOfBook(now);
    if (!top) return reject("invalid", "no market data");
    if (req.side === "buy" ? req.price >= top.bestAsk : req.price <= top.bestBid) {
      return reject(
        "post_only",
        `post-only ${req.side} at ${req.price} would cross the book ${top.bestBid}/${top.bestAsk}`,
      );
    }
    if (this.#perp) {
      let buys = 0, sells = 0; // what rests of the open orders, by side, base
      for (const o of this.#orders) {
        if (o.side === "buy") buys += o.amount - o.filled;
        else sells += o.amount - o.filled;
      }
      const account = { position: this.account.base, cash: this.account.quote };
      const m = checkMargin(account, buys, sells, req, midOf(top), this.#margin.leverage);
      if (!m.ok) {
        return reject(
          "insufficient_funds",
          `Margin is insufficient: ${req.side} ${req.amount} at ${req.price} needs ${
            m.requiredQuote.toFixed(2)
          } initial margin at ${this.#margin.leverage}x, equity ${m.equityQuote.toFixed(2)}`,
        );
      }
    } else {
      const free = this.#free(req.side);
      if (req.side === "buy" && req.price * req.amount * (1 + Math.max(0, this.#feeRate)) > free) {
        return reject("insufficient_funds", `buy needs ${req.price * req.amount} quote, ${free} free`);
      }
      if (req.side === "sell" && req.amount > free) {
        return reject("insufficient_funds", `sell needs ${req.amount} base, ${free} free`);
      }
    }
    const order: Order = {
      clientOrderId: req.clientOrderId,
      venueOrderId: this.#venueIds.next(),
      side: req.side,
      price: req.price,
      amount: req.amount,
      filled: 0,
      status: "open",
      ts: now,
    };
    this.#orders.push(order);
    // handed out as it rests here, as openOrders() hands it out: fills change it, and the engine reads the venue's
    // word anyway (a copy a placement cost more than anything the caller did with it; whoever keeps an order past
    // the tick, the ledger's record, copies it)
    return order;
  }

  cancel(order: Order): void {
    this.#advance(); // fills that happened before the cancel still count
    // most cancels are of the order openOrders() handed out: found by identity before comparing id strings
    let i = this.#orders.indexOf(order);
    if (i < 0) i = this.#find(order.clientOrderId);
    if (i >= 0) {
      this.#orders[i].status = "cancelled";
      keepOpen(this.#orders, i);
    }
  }

  fillsSince(afterTradeId: string | null): Fill[] {
    this.#advance();
    const n = this.#fills.length;
    if (n === 0 || (afterTradeId !== null && afterTradeId === this.#fills[n - 1].tradeId)) return NO_FILLS;
    // an id this exchange never issued (another run's): everything it has is new
    const after = afterTradeId === null ? -1 : this.#fillAt(afterTradeId);
    return this.#fills.slice(after + 1);
  }

  /** A perp funding payment (DESIGN §13), credited to the cash as the venue would. */
  creditFunding(amountQuote: number): void {
    this.account.quote += amountQuote;
  }

  /** Where the fill with this trade id is (-1: not issued here): an id is the prefix and the fill's place from 1
   * (#number), read back and checked — no Map insert of each fresh id a fill. */
  #fillAt(tradeId: string): number {
    if (!tradeId.startsWith(this.#idPrefix)) return -1;
    const i = Number(tradeId.slice(this.#idPrefix.length)) - 1;
    return i >= 0 && i < this.#fills.length && this.#fills[i]?.tradeId === tradeId ? i : -1;
  }

  #find(clientOrderId: string): number {
    const orders = this.#orders;
    for (let i = 0; i < orders.length; i++) if (orders[i].clientOrderId === clientOrderId) return i;
    return -1;
  }

  /** Funds not reserved by open orders (spot): quote for a buy, base for a sell (a number: no object a placement). */
  #free(side: Side): number {
    let free = side === "buy" ? this.account.quote : this.account.base;
    for (const o of this.#orders) {
      if (o.side !== side) continue;
      const rest = o.amount - o.filled;
      free -= side === "buy" ? o.price * rest * (1 + Math.max(0, this.#feeRate)) : rest;
    }
    return free;
  }

  /** Applies fills (and a perp liquidation) for the market action since the last call; returns now. */
  #advance(): number {
    const now = this.clock.now();
    if (now <= this.#processedTo) return now;
    const first = this.#fills.length;
    if (!this.#liquidate(this.#processedTo, now) && this.#orders.length) {
      const lastFillTs = this.#fillOrders(now);
      if (lastFillTs !== null) this.#liquidate(lastFillTs, now); // the position these fills left
    }
    this.#processedTo = now;
    if (this.#fills.length > first) this.#number(first);
    return now;
  }

  /** Fills the open orders for the market action in (processedTo, now]; the time of the last fill, or null. */
  #fillOrders(now: number): number | null {
    let done = 0, lastTs: number | null = null;
    for (const o of this.#orders) {
      const from = Math.max(this.#processedTo, o.ts);
      const through = this.feed.volumeThrough(o.side, o.price, from, now, o.ts);
      if (through <= 0) continue;
      // on the lot grid: what is left of a partly filled order carries no float dust (0.0048, not 0.0048000000000000004)
      const amount = floorToStep(Math.min(o.amount - o.filled, through * this.#share), this.#rules.lotSize);
      if (amount <= 0) continue;
      const feeQuote = o.price * amount * this.#feeRate;
      const sign = o.side === "buy" ? 1 : -1;
      if (this.#perp) {
        this.account.entry = entryAfterFill(this.account.entry ?? 0, this.account.base, sign * amount, o.price);
      }
      this.account.base += sign * amount;
      this.account.quote -= sign * o.price * amount + feeQuote;
      o.filled = floorToStep(o.filled + amount, this.#rules.lotSize);
      // stamped when it traded (DESIGN §10), with the mid of that moment
      // whole ms, like a venue's trade time; never before this look's window (paper on live data: a trade printed
      // before the last look but fetched after it), so fill times never go back
      const ts = Math.max(from, Math.min(now, Math.round(this.feed.throughTs)));
      lastTs = Math.max(lastTs ?? ts, ts);
      const top = this.feed.topOfBook(ts);
      const mid = top ? (top.bestBid + top.bestAsk) / 2 : o.price;
      this.#fills.push({
        tradeId: "",
        clientOrderId: o.clientOrderId,
        side: o.side,
        price: o.price,
        amount,
        feeQuote,
        ts,
        mid,
      });
      if (o.filled >= o.amount) {
        o.status = "filled";
        done++;
      }
    }
    if (done) keepOpen(this.#orders);
    return lastTs;
  }

  /**
   * perp: if the market traded through the position's liquidation price in (from, to], liquidates it as the venue
   * does (header comment); returns whether it did.
   */
  #liquidate(from: number, to: number): boolean {
    const q = this.account.base;
    if (!this.#perp || q === 0) return false;
    const liq = this.liquidationPrice();
    if (liq === null) return false;
    // a long goes when the market trades down through its price (as a resting buy there would fill), a short up
    if (this.feed.volumeThrough(q > 0 ? "buy" : "sell", liq, from, to, from) <= 0) return false;
    const ts = Math.max(from, Math.min(to, Math.round(this.feed.throughTs)));
    const amount = Math.abs(q);
    const equityAfter = this.account.quote + q * liq; // cash-style: the wallet once the position is closed at liq
    const { mode, maintenanceRate, liquidationFeeRate } = this.#margin;
    const marginLeft = mode === "isolated" ? amount * liq * maintenanceRate : Math.max(0, equityAfter);
    const feeQuote = Math.min(amount * liq * liquidationFeeRate, marginLeft);
    this.#orders = []; // the venue cancels every open order of the account first
    this.account.base = 0;
    this.account.quote = equityAfter - feeQuote;
    this.account.entry = 0;
    const top = this.feed.topOfBook(ts);
    this.#fills.push({
      tradeId: "",
      clientOrderId: `${LIQUIDATION_ORDER_PREFIX}${ts}`,
      side: q > 0 ? "sell" : "buy",
      price: liq,
      amount,
      feeQuote,
      ts,
      mid: top ? (top.bestBid + top.bestAsk) / 2 : liq,
    });
    return true;
  }

  /** The fills from `first` on, in the order they traded, get their trade ids (which follow that order). */
  #number(first: number): void {
    const fresh = this.#fills.splice(first).sort((a, b) => a.ts - b.ts);
    for (const f of fresh) {
      f.tradeId = `${this.#idPrefix}${++this.#tradeSeq}`;
      this.#fills.push(f);
    }
  }
}

/** Drops the orders no longer open (those before `from` are), in place and in order (no array made, as splice or
 * filter did; pop, as a write of `length` takes V8's slow path). */
function keepOpen(orders: Order[], from = 0): void {
  let kept = from;
  for (let i = from; i < orders.length; i++) if (orders[i].status === "open") orders[kept++] = orders[i];
  while (orders.length > kept) orders.pop();
}
