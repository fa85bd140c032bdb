/**
 * The exchange port over ccxt: any ccxt exchange id, tested on `binance` (spot) and `binanceusdm`
 * (USDT-M perpetuals). Market rules come from the exchange, orders are post-only with our client id
 * prefix, fills come from fetchMyTrades after the last trade id recorded in the ledger.
 *
 * Errors are classified by ccxt's classes and, because ccxt's tables depend on the URL (rewritten
 * by `market.rest_url`), by Binance's numeric codes too. Idempotent calls retry with capped backoff;
 * an order whose placement timed out is looked up by client order id before anything else is placed.
 */
import type { Exchange, Trade } from "ccxt";
import { BookClock, candleFrom, directedPrice, feeOf, marketRules, orderFrom, TakenTrades } from "./ccxt-convert.ts";
import { priceOf, topOfBookFrom } from "./ccxt-convert.ts";
import { sleep as timerSleep } from "../core/sleep.ts";
import {
  codeOf,
  DEFAULT_RETRY,
  FUNDS_CODES,
  isKeyRefusal,
  NOTIONAL_CODES,
  POST_ONLY_CODES,
  type RetryPolicy,
  withRetries,
} from "./ccxt-errors.ts";
import { type Ccxt, createVenue, loadCcxt, type VenueOptions } from "./ccxt-venue.ts";
import type { Config } from "../config/schema.ts";
import type { FundingPayment } from "../core/funding.ts";
import type { MarginMode } from "../core/margin.ts";
import { configurePerp, fundingPayments, fundingRateAt, type PerpContext } from "./ccxt-perp.ts";
import { type ExchangePort, KeyRefused, OrderRejected } from "./port.ts";
import {
  type Candle,
  CANDLE_MS,
  type Fill,
  type Inventory,
  type MarketRules,
  type Order,
  type PlaceOrder,
  type TopOfBook,
} from "../core/types.ts";

export class CcxtExchange implements ExchangePort {
  readonly #symbol: string;
  readonly #perp: boolean;
  readonly #prefix: string;
  readonly #ccxt: Ccxt;
  /** venue order id → client order id, for trades (which only carry the venue id) */
  readonly #clientIds = new Map<string, string | null>();
  /** client ids whose placement timed out: looked up before anything else is placed */
  readonly #unknown = new Set<string>();
  #marketsLoaded = false;
  #rules: MarketRules | null = null;
  readonly #taken = new TakenTrades();
  /** when the book is current as of: the venue's timestamp, else the first sighting of its update id */
  readonly #bookClock = new BookClock();
  /** the countdown last sent to the venue, seconds (null: unknown, a previous run may have armed it) */
  #deadManS: number | null = null;
  /** Binance USDT-M only (countdownCancelAll); left undefined on other venues, as the port allows. */
  declare readonly armDeadMan?: (seconds: number) => Promise<void>;

  constructor(
    readonly venue: Exchange,
    ccxt: Ccxt,
    config: Config,
    readonly retry: RetryPolicy = DEFAULT_RETRY,
    readonly sleep: (ms: number) => Promise<void> = timerSleep,
    readonly now: () => number = Date.now,
  ) {
    this.#ccxt = ccxt;
    this.#symbol = config.market.symbol;
    this.#perp = config.market.type === "perp";
    this.#prefix = config.market.client_order_prefix;
    if (venue.id === "binanceusdm") this.armDeadMan = (s) => this.#countdownCancelAll(s);
  }

  static async open(
    config: Config,
    opts: VenueOptions & { retry?: RetryPolicy },
  ): Promise<{ exchange: CcxtExchange; endpoint: string }> {
    const { venue, endpoint } = await createVenue(config, opts);
    return { exchange: new CcxtExchange(venue, await loadCcxt(), config, opts.retry), endpoint };
  }

  /** Retries network errors, timeouts, 5xx and rate limits (honouring Retry-After); rethrows the rest, classified. */
  #call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return withRetries(this.#ccxt, this.venue, this.retry, this.sleep, fn, (e) => this.#throwIfDenied(what, e));
  }

  #throwIfDenied(what: string, e: unknown): void {
    if (isKeyRefusal(this.#ccxt, e)) {
      throw new KeyRefused(`${what}: the exchange refused the API key (${(e as Error).message})`);
    }
  }

  async #markets(): Promise<void> {
    if (this.#marketsLoaded) return;
    // a failed loadMarkets() is cached by ccxt and rethrown forever; reload explicitly
    await this.#call("loadMarkets", () => this.venue.loadMarkets(true));
    this.#marketsLoaded = true;
  }

  #market() {
    return this.venue.markets?.[this.#symbol];
  }

  async rules(): Promise<MarketRules> {
    await this.#markets();
    return (this.#rules = marketRules(this.venue, this.#symbol, this.#perp));
  }

  /** The order book over REST, once per tick (no websocket: see README, "From paper to live"). */
  async topOfBook(): Promise<TopOfBook> {
    const ob = await this.#call("fetchOrderBook", () => this.venue.fetchOrderBook(this.#symbol, 5));
    return topOfBookFrom(ob, this.#bookClock.asOf(ob, this.now()));
  }

  async closedCandles(sinceTs: number | null, limit: number): Promise<Candle[]> {
    const since = sinceTs === null ? undefined : sinceTs + CANDLE_MS;
    const rows = await this.#call(
      "fetchOHLCV",
      () => this.venue.fetchOHLCV(this.#symbol, "1m", since, sinceTs === null ? limit + 1 : 1000),
    );
    // the newest row is the minute still forming (exchange time, not ours): only the ones before it are closed
    return rows.slice(0, -1).map(candleFrom).slice(-limit);
  }

  async balances(): Promise<Inventory> {
    await this.#markets();
    const m = this.#market();
    const bal = await this.#call("fetchBalance", () => this.venue.fetchBalance());
    const total = bal.total as unknown as Record<string, number | undefined>;
    if (!this.#perp) return { base: Number(total[m.base] ?? 0), quote: Number(total[m.quote] ?? 0) };
    const positions = await this.#call("fetchPositions", () => this.venue.fetchPositions([this.#symbol]));
    const p = positions.find((x) => x.symbol === this.#symbol);
    const size = Number(p?.contracts ?? 0) * Number(m.contractSize ?? 1);
    const liquidation = Number(p?.liquidationPrice ?? 0);
    return {
      base: 0,
      // Binance's total is the margin balance: the wallet plus the position's unrealized PnL
      quote: Number(total[m.settle ?? m.quote] ?? 0),
      position: p?.side === "short" ? -size : size,
      entryPrice: Number(p?.entryPrice) > 0 ? Number(p!.entryPrice) : null,
      unrealizedQuote: Number(p?.unrealizedPnl ?? 0) || 0,
      liquidationPrice: size !== 0 && liquidation > 0 ? liquidation : null,
    };
  }

  /** Perp: sets the margin mode and the leverage on the venue; a refusal is a ConfigError (ccxt-perp.ts). */
  async configurePerp(leverage: number, marginMode: MarginMode): Promise<string> {
    await this.#markets();
    return await configurePerp(this.#perpContext(), leverage, marginMode);
  }

  /** Live perp: the venue's funding payments after `afterTs`, oldest first. */
  async fundingSince(afterTs: number | null): Promise<FundingPayment[]> {
    await this.#markets();
    return await fundingPayments(this.#perpContext(), afterTs);
  }

  /** Paper on live data: the venue's funding rate at funding time `ts` (null: none for that time). */
  async fundingRateAt(ts: number): Promise<number | null> {
    await this.#markets();
    return await fundingRateAt(this.#perpContext(), ts);
  }

  #perpContext(): PerpContext {
    return {
      venue: this.venue,
      ccxt: this.#ccxt,
      symbol: this.#symbol,
      call: (what, fn) => this.#call(what, fn),
      denied: (what, e) => this.#throwIfDenied(what, e),
    };
  }

  async openOrders(prefix: string): Promise<Order[]> {
    await this.#markets();
    await this.#reconcileUnknown();
    const orders = await this.#call("fetchOpenOrders", () => this.venue.fetchOpenOrders(this.#symbol));
    return orders.filter((o) => (o.clientOrderId ?? "").startsWith(prefix)).map((o) => orderFrom(o, this.now()));
  }

  async place(p: PlaceOrder): Promise<Order | OrderRejected> {
    await this.#markets();
    await this.#reconcileUnknown();
    const E = this.#ccxt;
    const tick = this.#rules?.tickSize ?? (await this.rules()).tickSize;
    let amount = p.amount, price = p.price;
    try {
      amount = Number(this.venue.amountToPrecision(this.#symbol, p.amount)); // ccxt refuses like the venue (below)
      price = directedPrice((x) => Number(this.venue.priceToPrecision(this.#symbol, x)), p.price, p.side, tick);
      // post-only: LIMIT_MAKER on spot, timeInForce GTX on futures (ccxt maps postOnly to either)
      const o = await this.venue.createOrder(this.#symbol, "limit", p.side, amount, price, {
        postOnly: true,
        clientOrderId: p.clientOrderId,
      });
      this.#clientIds.set(String(o.id), p.clientOrderId);
      return { ...orderFrom(o, this.now()), clientOrderId: p.clientOrderId };
    } catch (e) {
      this.#throwIfDenied("createOrder", e);
      const code = codeOf(e);
      // funds first: spot's -2010 means either "insufficient balance" or "would immediately match"
      if (e instanceof E.InsufficientFunds || FUNDS_CODES.has(code!) || /insufficient/i.test((e as Error).message)) {
        return new OrderRejected("insufficient_funds", `${p.side} ${amount} at ${price}: insufficient balance`);
      }
      if (e instanceof E.OrderImmediatelyFillable || e instanceof E.OrderNotFillable || POST_ONLY_CODES.has(code!)) {
        return new OrderRejected("post_only", `post-only ${p.side} at ${price} would cross the book`);
      }
      if (e instanceof E.NetworkError || e instanceof E.OperationFailed) {
        // the order may have been placed anyway: find it by client id before placing anything else
        this.#unknown.add(p.clientOrderId);
        const found = await this.#reconcileUnknown().catch(() => null);
        const order = found?.get(p.clientOrderId);
        if (order) return order;
        throw e;
      }
      if (e instanceof E.InvalidOrder || e instanceof E.BadRequest || NOTIONAL_CODES.has(code!)) {
        return new OrderRejected("invalid", `${p.side} ${amount} at ${price} refused: ${(e as Error).message}`);
      }
      throw e;
    }
  }

  /**
   * Resolves placements that timed out: an order found by its client id is ours (returned, and
   * cancelled by the plan if unwanted); one the exchange does not know was never placed.
   */
  async #reconcileUnknown(): Promise<Map<string, Order>> {
    const found = new Map<string, Order>();
    if (!this.#unknown.size) return found;
    const open = await this.#call("fetchOpenOrders", () => this.venue.fetchOpenOrders(this.#symbol));
    for (const id of [...this.#unknown]) {
      const o = open.find((x) => x.clientOrderId === id);
      if (o) {
        this.#clientIds.set(String(o.id), id);
        found.set(id, orderFrom(o, this.now()));
        this.#unknown.delete(id);
        continue;
      }
      try {
        const closed = await this.#call(
          "fetchOrder",
          () => this.venue.fetchOrder(undefined as unknown as string, this.#symbol, { origClientOrderId: id }),
        );
        this.#clientIds.set(String(closed.id), id); // filled or cancelled meanwhile: its fills still count
      } catch (e) {
        if (!(e instanceof this.#ccxt.OrderNotFound)) throw e; // cannot tell yet: ask again next time
      }
      this.#unknown.delete(id);
    }
    return found;
  }

  async cancel(order: Order): Promise<void> {
    try {
      await this.#call("cancelOrder", () => this.venue.cancelOrder(order.venueOrderId, this.#symbol));
    } catch (e) {
      if (e instanceof this.#ccxt.OrderNotFound) return; // already filled or cancelled
      throw e;
    }
  }

  async fillsSince(afterTradeId: string | null): Promise<Fill[]> {
    await this.#markets();
    const params: Record<string, unknown> = {};
    const binance = this.venue.id.startsWith("binance");
    if (afterTradeId !== null && binance && /^\d+$/.test(afterTradeId)) params.fromId = Number(afterTradeId) + 1;
    const trades = await this.#call(
      "fetchMyTrades",
      // without a watermark only the recent history matters (its last id becomes the watermark)
      () => this.venue.fetchMyTrades(this.#symbol, undefined, afterTradeId === null ? 50 : 1000, params),
    );
    const after = afterTradeId === null ? -1 : trades.findIndex((t) => String(t.id) === afterTradeId);
    // off Binance a watermark that left the window (after = −1) would return every trade again: the ids already
    // taken (this run, and the ledger's at start) are skipped
    const fresh =
      (binance && afterTradeId !== null && /^\d+$/.test(afterTradeId)
        ? trades.filter((t) => Number(t.id) > Number(afterTradeId))
        : trades.slice(after + 1)).filter((t) => !this.#taken.has(String(t.id)));
    const fills: Fill[] = [];
    for (const t of fresh) {
      const clientOrderId = await this.#clientIdOf(t);
      if (clientOrderId === null || !clientOrderId.startsWith(this.#prefix)) continue; // not ours (a manual trade)
      fills.push({
        tradeId: String(t.id),
        clientOrderId,
        side: t.side as Fill["side"],
        price: Number(t.price),
        amount: Number(t.amount),
        ...await feeOf(
          t,
          this.#market().base,
          this.#market().quote,
          (a) => priceOf(this.venue, a, (w, f) => this.#call(w, f), this.#market().quote),
        ),
        ts: Number(t.timestamp),
      });
    }
    this.#taken.add(fresh.map((t) => String(t.id))); // only once all of them were turned into fills
    return fills;
  }

  /** Trade ids already booked (the ledger's, at start): never returned as new fills. */
  rememberTrades(ids: readonly string[]): void {
    this.#taken.add(ids);
  }

  async #clientIdOf(t: Trade): Promise<string | null> {
    const id = String(t.order);
    if (!this.#clientIds.has(id)) {
      const o = await this.#call("fetchOrder", () => this.venue.fetchOrder(id, this.#symbol));
      this.#clientIds.set(id, o.clientOrderId ?? null);
    }
    return this.#clientIds.get(id)!;
  }

  /**
   * Binance USDT-M's dead-man switch (`POST /fapi/v1/countdownCancelAll`): unless renewed within
   * `seconds`, the venue cancels all open orders on the symbol; 0 disarms it (sent once, not every tick).
   */
  async #countdownCancelAll(seconds: number): Promise<void> {
    if (!(seconds >= 0) || !Number.isFinite(seconds)) throw new RangeError(`dead-man countdown ${seconds} s`);
    if (seconds === 0 && this.#deadManS === 0) return;
    await this.#markets();
    const v = this.venue as Exchange & { fapiPrivatePostCountdownCancelAll(p: object): Promise<unknown> };
    const params = { symbol: this.venue.marketId(this.#symbol), countdownTime: Math.round(seconds * 1000) };
    await this.#call("countdownCancelAll", () => v.fapiPrivatePostCountdownCancelAll(params));
    this.#deadManS = seconds;
  }

  /** Public trades after `sinceTs` (exchange time), oldest first: what paper mode on live data fills against. */
  async publicTrades(sinceTs: number | null): Promise<{ ts: number; price: number; amount: number }[]> {
    const since = sinceTs === null ? undefined : sinceTs + 1;
    const trades = await this.#call("fetchTrades", () => this.venue.fetchTrades(this.#symbol, since, 1000));
    return trades.map((t) => ({ ts: Number(t.timestamp), price: Number(t.price), amount: Number(t.amount) }));
  }

  async close(): Promise<void> {
    await (this.venue as Exchange & { close?: () => Promise<void> }).close?.();
  }
}
