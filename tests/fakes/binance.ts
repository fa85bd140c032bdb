/**
 * A fake Binance on 127.0.0.1 speaking the subset of the REST API the bot uses, spot (/api/v3) and
 * USDT-M futures (/fapi), so ccxt's real `binance` and `binanceusdm` classes are exercised. It
 * verifies HMAC signatures and the API key, records every request, keeps orders, balances,
 * positions and trades, and can inject errors (429 with Retry-After, 5xx, slow replies, codes).
 * Its book moves on every depth request (a new lastUpdateId) unless frozen; USDT-M's dead-man
 * switch (countdownCancelAll) cancels the symbol's open orders once its clock passes the deadline.
 * A seeded fault plan (`faults`) fails a share of the calls of chosen kinds — 503s, 429s, slow
 * replies, dropped connections — reproducibly; `moveBook` moves the market and fills the resting
 * orders it trades through.
 */
import { createHmac } from "node:crypto";
import { serve, type Served } from "../../lib/http/serve.ts";
import type { Secrets } from "../../lib/config/secrets.ts";

export interface Request {
  method: string;
  path: string;
  params: Record<string, string>;
  apiKey: string | null;
  signed: boolean;
  at: number;
}

interface FakeOrder {
  orderId: number;
  clientOrderId: string;
  side: "BUY" | "SELL";
  type: string;
  timeInForce: string;
  price: number;
  origQty: number;
  executedQty: number;
  status: "NEW" | "PARTIALLY_FILLED" | "FILLED" | "CANCELED";
  time: number;
}

interface Injection {
  status?: number;
  /** absent: the normal reply (used with delayMs) */
  body?: unknown;
  headers?: Record<string, string>;
  /** reply only after this long, having done the work (a timeout that still placed the order) */
  delayMs?: number;
}

/** What a fault does to a call, before the normal handler sees it. */
export type FaultKind =
  /** 503 with Binance's JSON `{code: -1001}` (ccxt: OperationFailed) */
  | "unavailable"
  /** 503 with a plain-text body, as a load balancer answers (ccxt: ExchangeNotAvailable) */
  | "unavailable_text"
  /** 429 with `Retry-After` and code -1003 (ccxt: DDoSProtection) */
  | "rate_limited"
  /** the work is done, the reply comes `slowMs` late (a client timeout that still placed or cancelled) */
  | "slow"
  /** the connection is dropped without a reply (Bun: reset before any byte; Deno: a 502 with no body) */
  | "reset";

/** Which calls a fault plan may hit, by what they do. */
export type FaultRoute =
  /** POST order */
  | "place"
  /** DELETE order */
  | "cancel"
  /** GET openOrders */
  | "openOrders"
  /** GET account (spot), account and positionRisk (futures) */
  | "balances"
  /** GET myTrades / userTrades */
  | "fills"
  /** GET order (an order by id or client id) */
  | "order"
  | "book"
  | "candles"
  | "markets"
  | "deadMan"
  | "publicTrades"
  /** POST leverage / marginType */
  | "margin"
  /** GET income / fundingRate */
  | "funding";

export const FAULT_KINDS: readonly FaultKind[] = ["unavailable", "unavailable_text", "rate_limited", "slow", "reset"];
export const FAULT_ROUTES: readonly FaultRoute[] = [
  "place",
  "cancel",
  "openOrders",
  "balances",
  "fills",
  "order",
  "book",
  "candles",
  "markets",
  "deadMan",
  "publicTrades",
  "margin",
  "funding",
];

/** A seeded fault plan: each call on `routes` fails with probability `rate`, as one of `kinds`. */
export interface FaultPlan {
  /** 0..1: the share of matching calls that fail (1: every one) */
  rate: number;
  kinds: readonly FaultKind[];
  routes: readonly FaultRoute[];
  /** the PRNG's seed: the same seed and the same calls give the same faults */
  seed: number;
  /** "slow": how late the reply comes, ms (default 1000) */
  slowMs?: number;
  /** "rate_limited": the Retry-After header, seconds (default 1) */
  retryAfterS?: number;
}

/** One fault the plan injected. */
export interface Fault {
  route: FaultRoute;
  kind: FaultKind;
  method: string;
  path: string;
  at: number;
}

/** mulberry32: a tiny seeded PRNG, uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One row of Binance's klines: open time, OHLCV as strings, close time, quote volume, trades, taker volumes, 0. */
export type KlineRow = [number, string, string, string, string, string, number, string, number, string, string, string];

/** A kline row from a candle (what Binance serves for it). */
export function klineRow(c: { ts: number; open: number; high: number; low: number; close: number; volume: number }) {
  const s = (x: number) => String(x);
  return [
    c.ts,
    s(c.open),
    s(c.high),
    s(c.low),
    s(c.close),
    s(c.volume),
    c.ts + 59_999,
    "0",
    1,
    "0",
    "0",
    "0",
  ] as KlineRow;
}

export const API_KEY = "test-api-key";
export const API_SECRET = "test-api-secret";

/** The bot's secrets for the fake: its API key and secret. */
export const KEYS: Secrets = { exchangeApiKey: API_KEY, exchangeApiSecret: API_SECRET, telegramAllowedUsers: [] };
/** `--set`s for the fake's USDT-M perpetual. */
export const PERP = ["market.exchange=binanceusdm", "market.symbol=ETH/USDT:USDT", "market.type=perp"];

export class FakeBinance {
  readonly requests: Request[] = [];
  readonly orders: FakeOrder[] = [];
  readonly trades: Record<string, unknown>[] = [];
  bestBid = 2999.99;
  bestAsk = 3000.01;
  /** spot balances, or the futures wallet (USDT) */
  balances: Record<string, number> = { ETH: 1, USDT: 3000 };
  /** public trades (aggTrades) the paper mode on live data fills against */
  readonly publicTrades: {
    a: number;
    p: string;
    q: string;
    f: number;
    l: number;
    T: number;
    m: boolean;
    M: boolean;
  }[] = [];
  /** futures: signed position in ETH and its entry price */
  position = { amount: 0, entry: 0 };
  /** futures: the symbol's leverage and margin type (set with POST leverage / marginType) */
  leverage = 20;
  marginType: "cross" | "isolated" = "cross";
  /** futures: the liquidation price positionRisk reports (0: none) */
  liquidationPrice = 0;
  /** futures: the position's unrealized PnL positionRisk and the account report (in the margin balance) */
  unrealized = 0;
  /** futures: funding payments booked to the wallet (GET /fapi/v1/income, FUNDING_FEE) */
  readonly income: {
    symbol: string;
    incomeType: string;
    income: string;
    asset: string;
    info: string;
    time: number;
    tranId: number;
    tradeId: string;
  }[] = [];
  /**
   * A fixed kline history to serve instead of the wave (Binance's 12 columns, open time first), for downloads;
   * `klinesPageMax` caps a page as the venue does (Binance: 1000 spot, 1500 futures).
   */
  history: KlineRow[] | null = null;
  klinesPageMax = 1000;
  /** klines requests past this many wait until `releaseKlines()` (a download caught mid-way, to be killed) */
  holdKlinesAfter: number | null = null;
  #klinesServed = 0;
  #release: (() => void) | null = null;
  readonly #released = new Promise<void>((r) => (this.#release = r));
  releaseKlines(): void {
    this.#release?.();
  }
  /** futures: published funding rates (GET /fapi/v1/fundingRate) */
  readonly fundingRates: { symbol: string; fundingTime: number; fundingRate: string; markPrice: string }[] = [];
  #nextTranId = 9000;
  /**
   * Fees charged in another asset (BNB, as Binance does for accounts that pay fees in BNB): the asset and its price
   * in USDT; its market is listed and its ticker served. Null: fees in USDT.
   */
  feeIn: { asset: string; priceUsdt: number } | null = null;
  /** the fake's clock for the book's time and the dead-man countdowns (replace it to move time by hand) */
  now: () => number = () => Date.now();
  /** a stuck book: depth answers the same snapshot (lastUpdateId, levels, futures' T) until unfrozen */
  frozen = false;
  /** countdownCancelAll: symbol → deadline on the fake's clock */
  readonly countdowns = new Map<string, number>();
  readonly #countdownTimers = new Map<string, ReturnType<typeof setTimeout>>();
  #book: { lastUpdateId: number; T: number; bids: string[][]; asks: string[][] } | null = null;
  readonly #inject = new Map<string, Injection[]>();
  #faults: FaultPlan | null = null;
  #faultRandom: () => number = Math.random;
  /** every fault the plan injected, in order */
  readonly faultLog: Fault[] = [];
  #server: Served | null = null;
  #nextOrderId = 1000;
  #nextTradeId = 500;
  port = 0;

  constructor(readonly kind: "spot" | "perp", readonly feeRate = 0.001) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  start(): this {
    this.#server = serve((req) => this.#handle(req), { hostname: "127.0.0.1", port: 0 });
    this.port = this.#server.port;
    return this;
  }

  stop(): Promise<void> {
    for (const t of this.#countdownTimers.values()) clearTimeout(t);
    this.#countdownTimers.clear();
    return this.#server?.close() ?? Promise.resolve();
  }

  /** The next `count` requests to `METHOD /path` get this reply instead. */
  inject(route: string, injection: Injection, count = 1): void {
    const list = this.#inject.get(route) ?? [];
    for (let i = 0; i < count; i++) list.push(injection);
    this.#inject.set(route, list);
  }

  /**
   * The fault plan (null: none). Assigning one restarts its PRNG from `seed`; its `rate` may be
   * changed in place (0 ends an outage). Explicit `inject()` replies take precedence over it.
   */
  get faults(): FaultPlan | null {
    return this.#faults;
  }
  set faults(plan: FaultPlan | null) {
    if (plan && !(plan.rate >= 0 && plan.rate <= 1)) throw new RangeError(`fault rate ${plan.rate}: must be 0..1`);
    this.#faults = plan;
    this.#faultRandom = mulberry32(plan?.seed ?? 0);
  }

  /** Faults the plan injected on `route` (all when absent). */
  faultsOn(route?: FaultRoute): Fault[] {
    return route === undefined ? this.faultLog : this.faultLog.filter((f) => f.route === route);
  }

  /** Requests to `METHOD /path`. */
  calls(route: string): Request[] {
    return this.requests.filter((r) => `${r.method} ${r.path}` === route);
  }

  open(): FakeOrder[] {
    this.#expireCountdowns();
    return this.orders.filter((o) => o.status === "NEW" || o.status === "PARTIALLY_FILLED");
  }

  /** The venue's dead-man switch: a countdown not renewed by its deadline cancels the symbol's open orders. */
  #expireCountdowns(): void {
    for (const [symbol, deadline] of this.countdowns) {
      if (this.now() < deadline) continue;
      this.countdowns.delete(symbol);
      clearTimeout(this.#countdownTimers.get(symbol));
      this.#countdownTimers.delete(symbol);
      if (symbol !== "ETHUSDT") continue; // the fake's only market
      for (const o of this.orders) {
        if (o.status === "NEW" || o.status === "PARTIALLY_FILLED") o.status = "CANCELED";
      }
    }
  }

  #countdown(p: Record<string, string>): [number, unknown] {
    const ms = Number(p.countdownTime);
    if (!p.symbol || p.countdownTime === undefined || !Number.isInteger(ms) || ms < 0) {
      return [400, {
        code: -1102,
        msg: "Mandatory parameter 'countdownTime' was not sent, was empty/null, or malformed.",
      }];
    }
    if (p.symbol !== "ETHUSDT") return [400, { code: -1121, msg: "Invalid symbol." }];
    clearTimeout(this.#countdownTimers.get(p.symbol));
    this.#countdownTimers.delete(p.symbol);
    if (ms === 0) {
      this.countdowns.delete(p.symbol);
    } else {
      this.countdowns.set(p.symbol, this.now() + ms);
      // in real time, the venue fires on its own, without waiting for a request
      this.#countdownTimers.set(p.symbol, setTimeout(() => this.#expireCountdowns(), ms + 5));
    }
    return [200, { symbol: p.symbol, countdownTime: String(ms) }];
  }

  /** The order book: a new lastUpdateId on every request (a live market), the same snapshot while frozen. */
  #depth(): [number, unknown] {
    if (!this.frozen || !this.#book) {
      this.#book = {
        lastUpdateId: (this.#book?.lastUpdateId ?? 0) + 1,
        T: this.now(),
        bids: [[this.bestBid.toFixed(2), "5.000"]],
        asks: [[this.bestAsk.toFixed(2), "5.000"]],
      };
    }
    const { lastUpdateId, T, bids, asks } = this.#book;
    // spot depth carries no time at all; futures depth has the message time E and the transaction time T
    return [200, this.kind === "spot" ? { lastUpdateId, bids, asks } : { lastUpdateId, E: this.now(), T, bids, asks }];
  }

  /** Someone trades `qty` at `price` on the public tape. */
  printTrade(price: number, qty: number): void {
    const id = this.publicTrades.length + 1;
    this.publicTrades.push({
      a: id,
      p: price.toFixed(2),
      q: String(qty),
      f: id,
      l: id,
      T: Date.now(),
      m: true,
      M: true,
    });
  }

  /**
   * The market moves to `bestBid` / `bestAsk`: every open order the new book trades through fills in
   * full at its own price, as a maker (a bid at or above the new ask, an ask at or below the new bid).
   * Returns the orders filled.
   */
  moveBook(bestBid: number, bestAsk: number): FakeOrder[] {
    if (!(bestBid > 0 && bestBid < bestAsk)) throw new RangeError(`crossed or empty book: ${bestBid} / ${bestAsk}`);
    this.bestBid = bestBid;
    this.bestAsk = bestAsk;
    const crossed = this.open().filter((o) => o.side === "BUY" ? o.price >= bestAsk : o.price <= bestBid);
    for (const o of crossed) this.fill(o.clientOrderId);
    return crossed;
  }

  /** The market trades through one of our resting orders: it fills (partly) at its price, as a maker. */
  fill(clientOrderId: string, qty?: number): void {
    const o = this.orders.find((x) => x.clientOrderId === clientOrderId);
    if (!o || (o.status !== "NEW" && o.status !== "PARTIALLY_FILLED")) {
      throw new Error(`no open order ${clientOrderId}`);
    }
    const amount = Math.min(qty ?? o.origQty - o.executedQty, o.origQty - o.executedQty);
    o.executedQty += amount;
    o.status = o.executedQty >= o.origQty - 1e-12 ? "FILLED" : "PARTIALLY_FILLED";
    const signed = o.side === "BUY" ? amount : -amount;
    const fee = amount * o.price * this.feeRate;
    if (this.kind === "spot") {
      this.balances.ETH += signed;
      this.balances.USDT -= signed * o.price + fee;
    } else {
      const p = this.position;
      if (p.amount === 0 || Math.sign(p.amount) === Math.sign(signed)) {
        p.entry = (Math.abs(p.amount) * p.entry + amount * o.price) / (Math.abs(p.amount) + amount);
      }
      p.amount += signed;
      if (p.amount === 0) p.entry = 0;
      this.balances.USDT -= fee;
    }
    const id = this.#nextTradeId++;
    const common = {
      symbol: "ETHUSDT",
      id,
      orderId: o.orderId,
      price: String(o.price),
      qty: String(amount),
      quoteQty: String(amount * o.price),
      commission: String(this.feeIn ? fee / this.feeIn.priceUsdt : fee),
      commissionAsset: this.feeIn?.asset ?? "USDT",
      time: Date.now(),
    };
    this.trades.push(
      this.kind === "spot"
        ? { ...common, orderListId: -1, isBuyer: o.side === "BUY", isMaker: true, isBestMatch: true }
        : { ...common, buyer: o.side === "BUY", maker: true, side: o.side, positionSide: "BOTH", realizedPnl: "0" },
    );
  }

  /** A funding time passes: the position pays −amount × mark × rate to the wallet, as an income row. */
  payFunding(rate: number, time: number, mark = (this.bestBid + this.bestAsk) / 2): number {
    const amount = -this.position.amount * mark * rate;
    this.balances.USDT += amount;
    this.income.push({
      symbol: "ETHUSDT",
      incomeType: "FUNDING_FEE",
      income: amount.toFixed(8),
      asset: "USDT",
      info: "FUNDING_FEE",
      time,
      tranId: this.#nextTranId++,
      tradeId: "",
    });
    this.fundingRates.push({
      symbol: "ETHUSDT",
      fundingTime: time,
      fundingRate: String(rate),
      markPrice: String(mark),
    });
    return amount;
  }

  async #handle(req: Request_): Promise<Response> {
    const url = new URL(req.url);
    const body = req.method === "POST" || req.method === "PUT" ? await req.text() : "";
    const query = url.search.slice(1);
    const params: Record<string, string> = Object.fromEntries(new URLSearchParams(query));
    for (const [k, v] of new URLSearchParams(body)) params[k] = v;
    const apiKey = req.headers.get("x-mbx-apikey");
    const r: Request = {
      method: req.method,
      path: url.pathname,
      params,
      apiKey,
      signed: "signature" in params,
      at: Date.now(),
    };
    this.requests.push(r);
    this.#expireCountdowns();
    const route = `${req.method} ${url.pathname}`;
    let injected = this.#inject.get(route)?.shift();
    if (!injected) {
      const fault = this.#drawFault(req.method, url.pathname);
      if (fault === "slow") injected = { delayMs: this.#faults?.slowMs ?? 1000 };
      else if (fault) return this.#faultReply(fault);
    }
    if (injected && !injected.delayMs) return reply(injected.status ?? 500, injected.body, injected.headers);
    if (/\/klines$/.test(url.pathname) && this.holdKlinesAfter !== null) {
      if (this.#klinesServed++ >= this.holdKlinesAfter) await this.#released;
    }

    if (PRIVATE.test(url.pathname)) {
      if (!r.signed) return reply(400, { code: -1102, msg: "Mandatory parameter 'signature' was not sent." });
      if (apiKey !== API_KEY) {
        return reply(401, { code: -2015, msg: "Invalid API-key, IP, or permissions for action." });
      }
      if (!validSignature(query, body)) {
        return reply(400, { code: -1022, msg: "Signature for this request is not valid." });
      }
    }
    const [status, result] = this.#route(route, params);
    // slow: the work is done, the reply comes late (the client may have given up)
    if (injected?.delayMs) await new Promise((res) => setTimeout(res, injected.delayMs));
    if (injected?.body !== undefined) return reply(injected.status ?? 500, injected.body, injected.headers);
    return reply(status, result);
  }

  /** The plan's verdict on this call: two draws per call on a planned route (whether, then which). */
  #drawFault(method: string, path: string): FaultKind | null {
    const plan = this.#faults;
    const route = faultRouteOf(method, path);
    if (!plan || route === null || !plan.routes.includes(route) || !plan.kinds.length) return null;
    const hit = this.#faultRandom() < plan.rate;
    const kind = plan.kinds[Math.floor(this.#faultRandom() * plan.kinds.length)];
    if (!hit) return null;
    this.faultLog.push({ route, kind, method, path, at: Date.now() });
    return kind;
  }

  #faultReply(kind: Exclude<FaultKind, "slow">): Response {
    switch (kind) {
      case "unavailable":
        return reply(503, { code: -1001, msg: "Internal error; unable to process your request. Please try again." });
      case "unavailable_text":
        return new Response("503 Service Temporarily Unavailable", {
          status: 503,
          headers: { "content-type": "text/plain" },
        });
      case "rate_limited":
        return reply(429, {
          code: -1003,
          msg: "Too many requests; current limit is 6000 request weight per 1 MINUTE.",
        }, { "Retry-After": String(this.#faults?.retryAfterS ?? 1) });
      case "reset":
        // Bun drops the connection before any byte when the body fails at once; Deno would send the
        // status line first, so there the closest stand-in is a gateway's empty 502
        if (!("Bun" in globalThis)) return new Response(null, { status: 502 });
        return new Response(new ReadableStream({ start: (c) => c.error() }));
    }
  }

  #route(route: string, p: Record<string, string>): [number, unknown] {
    const spot = this.kind === "spot";
    switch (route) {
      case "GET /api/v3/exchangeInfo":
      case "GET /fapi/v1/exchangeInfo":
        return [200, {
          timezone: "UTC",
          serverTime: Date.now(),
          rateLimits: [],
          symbols: [spot ? SPOT_SYMBOL : PERP_SYMBOL, ...(this.feeIn ? [this.#feeSymbol(this.feeIn.asset)] : [])],
        }];
      case "GET /api/v3/ticker/24hr":
      case "GET /fapi/v1/ticker/24hr": {
        const f = this.feeIn;
        if (!f || p.symbol !== `${f.asset}USDT`) return [400, { code: -1121, msg: "Invalid symbol." }];
        const price = String(f.priceUsdt);
        return [200, {
          symbol: p.symbol,
          lastPrice: price,
          openPrice: price,
          highPrice: price,
          lowPrice: price,
          volume: "1000",
          quoteVolume: "1000",
          openTime: Date.now() - 86_400_000,
          closeTime: Date.now(),
        }];
      }
      case "GET /api/v3/depth":
      case "GET /fapi/v1/depth":
        return this.#depth();
      case "POST /fapi/v1/countdownCancelAll":
        return this.#countdown(p);
      case "GET /api/v3/aggTrades":
      case "GET /fapi/v1/aggTrades": {
        const from = p.startTime ? Number(p.startTime) : -Infinity;
        return [200, this.publicTrades.filter((t) => t.T >= from).slice(-Number(p.limit ?? 500))];
      }
      case "GET /api/v3/klines":
      case "GET /fapi/v1/klines":
        return [200, this.#klines(p)];
      case "GET /api/v3/account":
        return [200, {
          makerCommission: 10,
          canTrade: true,
          accountType: "SPOT",
          balances: Object.entries(this.balances).map(([asset, free]) => ({
            asset,
            free: String(free - this.#locked(asset)),
            locked: String(this.#locked(asset)),
          })),
          permissions: ["SPOT"],
        }];
      case "GET /fapi/v3/account":
      case "GET /fapi/v2/account":
        return [200, {
          totalWalletBalance: String(this.balances.USDT),
          assets: [{
            asset: "USDT",
            walletBalance: String(this.balances.USDT),
            unrealizedProfit: String(this.unrealized),
            marginBalance: String(this.balances.USDT + this.unrealized),
            availableBalance: String(this.balances.USDT),
            maxWithdrawAmount: String(this.balances.USDT),
            updateTime: Date.now(),
          }],
          positions: [],
        }];
      case "GET /fapi/v3/positionRisk":
      case "GET /fapi/v2/positionRisk":
        return [200, [{
          symbol: "ETHUSDT",
          positionSide: "BOTH",
          positionAmt: String(this.position.amount),
          entryPrice: String(this.position.entry),
          breakEvenPrice: "0",
          markPrice: String((this.bestBid + this.bestAsk) / 2),
          unRealizedProfit: String(this.unrealized),
          liquidationPrice: String(this.liquidationPrice),
          isolatedMargin: "0",
          notional: String(this.position.amount * this.bestBid),
          marginAsset: "USDT",
          isolatedWallet: "0",
          initialMargin: "0",
          maintMargin: "0",
          leverage: String(this.leverage),
          marginType: this.marginType,
          updateTime: Date.now(),
        }]];
      case "POST /fapi/v1/leverage": {
        const lev = Number(p.leverage);
        if (!Number.isInteger(lev) || lev < 1 || lev > 125) {
          return [400, { code: -4028, msg: `Leverage ${p.leverage} is not valid` }];
        }
        this.leverage = lev;
        return [200, { symbol: p.symbol, leverage: lev, maxNotionalValue: "1000000" }];
      }
      case "POST /fapi/v1/marginType": {
        const want = p.marginType === "ISOLATED" ? "isolated" : p.marginType === "CROSSED" ? "cross" : null;
        if (!want) return [400, { code: -1116, msg: "Invalid marginType." }];
        if (want === this.marginType) return [400, { code: -4046, msg: "No need to change margin type." }];
        if (this.position.amount !== 0 || this.open().length) {
          return [400, { code: -4048, msg: "Margin type cannot be changed if there exists position." }];
        }
        this.marginType = want;
        return [200, { code: 200, msg: "success" }];
      }
      case "GET /fapi/v1/income": {
        const from = p.startTime ? Number(p.startTime) : -Infinity;
        const rows = this.income.filter((r) =>
          r.time >= from && (!p.incomeType || r.incomeType === p.incomeType) && (!p.symbol || r.symbol === p.symbol)
        );
        return [200, rows.slice(0, Number(p.limit ?? 100))];
      }
      case "GET /fapi/v1/fundingRate": {
        const from = p.startTime ? Number(p.startTime) : -Infinity, to = p.endTime ? Number(p.endTime) : Infinity;
        const limit = Math.min(Number(p.limit ?? 100), 1000);
        return [200, this.fundingRates.filter((r) => r.fundingTime >= from && r.fundingTime <= to).slice(0, limit)];
      }
      case "GET /fapi/v1/leverageBracket":
        return [200, [{
          symbol: "ETHUSDT",
          brackets: [{
            bracket: 1,
            initialLeverage: 125,
            notionalCap: 50000,
            notionalFloor: 0,
            maintMarginRatio: 0.004,
            cum: 0,
          }],
        }]];
      case "GET /api/v3/openOrders":
      case "GET /fapi/v1/openOrders":
        return [200, this.open().map((o) => this.#orderJson(o))];
      case "POST /api/v3/order":
      case "POST /fapi/v1/order":
        return this.#place(p);
      case "DELETE /api/v3/order":
      case "DELETE /fapi/v1/order": {
        const o = this.#find(p);
        if (!o || (o.status !== "NEW" && o.status !== "PARTIALLY_FILLED")) {
          return [400, { code: -2011, msg: "Unknown order sent." }];
        }
        o.status = "CANCELED";
        return [200, this.#orderJson(o)];
      }
      case "GET /api/v3/order":
      case "GET /fapi/v1/order": {
        const o = this.#find(p);
        return o ? [200, this.#orderJson(o)] : [400, { code: -2013, msg: "Order does not exist." }];
      }
      case "GET /api/v3/myTrades":
      case "GET /fapi/v1/userTrades": {
        const from = p.fromId ? Number(p.fromId) : -Infinity;
        const limit = Number(p.limit ?? 500);
        const list = this.trades.filter((t) => Number(t.id) >= from);
        return [200, p.fromId ? list.slice(0, limit) : list.slice(-limit)];
      }
      default:
        return [404, { code: -1, msg: `fake Binance does not know ${route}` }];
    }
  }

  /** The fee asset's market against USDT, shaped like the fake's own. */
  #feeSymbol(asset: string) {
    const own = this.kind === "spot" ? SPOT_SYMBOL : PERP_SYMBOL;
    return { ...own, symbol: `${asset}USDT`, pair: `${asset}USDT`, baseAsset: asset };
  }

  #place(p: Record<string, string>): [number, unknown] {
    const side = p.side as "BUY" | "SELL";
    const price = Number(p.price), qty = Number(p.quantity);
    const tick = 0.01, step = this.kind === "spot" ? 0.0001 : 0.001;
    if (!onStep(price, tick)) return [400, { code: -1013, msg: "Filter failure: PRICE_FILTER" }];
    if (!onStep(qty, step)) return [400, { code: -1013, msg: "Filter failure: LOT_SIZE" }];
    const crosses = side === "BUY" ? price >= this.bestAsk : price <= this.bestBid;
    if (this.kind === "spot") {
      if (p.type !== "LIMIT_MAKER") return [400, { code: -1, msg: `fake: expected LIMIT_MAKER, got ${p.type}` }];
      if (crosses) return [400, { code: -2010, msg: "Order would immediately match and take." }];
      const need = side === "BUY" ? qty * price : qty;
      const asset = side === "BUY" ? "USDT" : "ETH";
      if (need > this.balances[asset] - this.#locked(asset) + 1e-9) {
        return [400, { code: -2010, msg: "Account has insufficient balance for requested action." }];
      }
    } else {
      if (p.type !== "LIMIT" || p.timeInForce !== "GTX") {
        return [400, { code: -1, msg: `fake: expected LIMIT GTX, got ${p.type} ${p.timeInForce}` }];
      }
      if (crosses) {
        return [400, {
          code: -5022,
          msg: "Due to the order could not be executed as maker, the Post Only order will be rejected.",
        }];
      }
      if (qty * price > this.balances.USDT * 5) return [400, { code: -2019, msg: "Margin is insufficient." }];
    }
    const clientOrderId = p.newClientOrderId ?? `auto-${this.#nextOrderId}`;
    if (this.orders.some((o) => o.clientOrderId === clientOrderId && o.status === "NEW")) {
      return [400, { code: -2010, msg: "Duplicate order sent." }];
    }
    const o: FakeOrder = {
      orderId: this.#nextOrderId++,
      clientOrderId,
      side,
      type: p.type,
      timeInForce: p.timeInForce ?? "GTC",
      price,
      origQty: qty,
      executedQty: 0,
      status: "NEW",
      time: Date.now(),
    };
    this.orders.push(o);
    return [200, this.#orderJson(o)];
  }

  #find(p: Record<string, string>): FakeOrder | undefined {
    return this.orders.find((o) =>
      p.orderId ? String(o.orderId) === p.orderId : o.clientOrderId === (p.origClientOrderId ?? p.clientOrderId)
    );
  }

  #locked(asset: string): number {
    if (this.kind !== "spot") return 0;
    return this.open().reduce((sum, o) => {
      const rest = o.origQty - o.executedQty;
      if (asset === "USDT" && o.side === "BUY") return sum + rest * o.price;
      if (asset === "ETH" && o.side === "SELL") return sum + rest;
      return sum;
    }, 0);
  }

  #orderJson(o: FakeOrder) {
    const common = {
      symbol: "ETHUSDT",
      orderId: o.orderId,
      clientOrderId: o.clientOrderId,
      price: String(o.price),
      origQty: String(o.origQty),
      executedQty: String(o.executedQty),
      status: o.status,
      timeInForce: o.timeInForce,
      type: o.type,
      side: o.side,
    };
    return this.kind === "spot"
      ? {
        ...common,
        orderListId: -1,
        cummulativeQuoteQty: String(o.executedQty * o.price),
        time: o.time,
        updateTime: o.time,
        transactTime: o.time,
        workingTime: o.time,
        fills: [],
      }
      : {
        ...common,
        avgPrice: "0",
        cumQuote: String(o.executedQty * o.price),
        reduceOnly: false,
        closePosition: false,
        positionSide: "BOTH",
        stopPrice: "0",
        workingType: "CONTRACT_PRICE",
        priceProtect: false,
        origType: o.type,
        time: o.time,
        updateTime: o.time,
      };
  }

  /** 1m klines: the `history` when set (Binance's paging rules), else a wave around the book up to this minute. */
  #klines(p: Record<string, string>): unknown[] {
    if (this.history) {
      // Binance: rows with open time in [startTime, endTime], oldest first, at most `limit` (capped by the venue)
      const from = p.startTime ? Number(p.startTime) : -Infinity, to = p.endTime ? Number(p.endTime) : Infinity;
      const limit = Math.min(Number(p.limit ?? 500), this.klinesPageMax);
      return this.history.filter((r) => r[0] >= from && r[0] <= to).slice(0, limit);
    }
    const limit = Number(p.limit ?? 500);
    const nowMin = Math.floor(Date.now() / 60_000) * 60_000;
    const start = p.startTime ? Number(p.startTime) : nowMin - (limit - 1) * 60_000;
    const rows: unknown[] = [];
    for (let t = start; t <= nowMin && rows.length < limit; t += 60_000) {
      // a gentle deterministic wave so NATR is small but not zero
      const mid = (this.bestBid + this.bestAsk) / 2 + Math.sin(t / 600_000) * 1.5;
      rows.push([
        t,
        mid.toFixed(2),
        (mid + 0.8).toFixed(2),
        (mid - 0.8).toFixed(2),
        (mid + 0.1).toFixed(2),
        "100.0",
        t + 59_999,
        "0",
        10,
        "0",
        "0",
        "0",
      ]);
    }
    return rows;
  }
}

type Request_ = globalThis.Request;

const PRIVATE =
  /^\/(api\/v3\/(account|order|openOrders|myTrades)|fapi\/v\d\/(account|positionRisk|order|openOrders|userTrades|leverageBracket|balance|countdownCancelAll|leverage|marginType|income))$/;

/** The fault plan's name for a call, null for a path the fake does not serve. */
function faultRouteOf(method: string, path: string): FaultRoute | null {
  const p = path.replace(/^\/(api\/v3|fapi\/v\d)\//, "");
  if (p === path) return null;
  if (p === "order") return method === "POST" ? "place" : method === "DELETE" ? "cancel" : "order";
  const byPath: Record<string, FaultRoute> = {
    openOrders: "openOrders",
    account: "balances",
    positionRisk: "balances",
    balance: "balances",
    myTrades: "fills",
    userTrades: "fills",
    depth: "book",
    klines: "candles",
    exchangeInfo: "markets",
    countdownCancelAll: "deadMan",
    aggTrades: "publicTrades",
    leverage: "margin",
    marginType: "margin",
    income: "funding",
    fundingRate: "funding",
  };
  return byPath[p] ?? null;
}

function validSignature(query: string, body: string): boolean {
  // Binance signs totalParams = query string + request body; the signature is the last parameter of one of them
  const strip = (s: string) => s.replace(/&?signature=[0-9a-f]+$/, "");
  const sig = (query + "&" + body).match(/signature=([0-9a-f]+)/)?.[1];
  if (!sig) return false;
  const candidates = [strip(query) + strip(body), strip(query), strip(body)];
  return candidates.some((c) => createHmac("sha256", API_SECRET).update(c).digest("hex") === sig);
}

const onStep = (x: number, step: number) => Math.abs(x / step - Math.round(x / step)) < 1e-6;

function reply(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(typeof body === "string" ? body : JSON.stringify(body), {
    status,
    headers: { "content-type": typeof body === "string" ? "text/plain" : "application/json", ...headers },
  });
}

const filters = (step: string, minQty: string, notional: Record<string, unknown>) => [
  { filterType: "PRICE_FILTER", minPrice: "0.01", maxPrice: "1000000.00", tickSize: "0.01" },
  { filterType: "LOT_SIZE", minQty, maxQty: "9000.00", stepSize: step },
  notional,
];

const SPOT_SYMBOL = {
  symbol: "ETHUSDT",
  status: "TRADING",
  baseAsset: "ETH",
  baseAssetPrecision: 8,
  quoteAsset: "USDT",
  quotePrecision: 8,
  quoteAssetPrecision: 8,
  orderTypes: ["LIMIT", "LIMIT_MAKER", "MARKET"],
  icebergAllowed: true,
  ocoAllowed: true,
  isSpotTradingAllowed: true,
  isMarginTradingAllowed: false,
  permissions: ["SPOT"],
  permissionSets: [["SPOT"]],
  filters: filters("0.00010000", "0.00010000", {
    filterType: "NOTIONAL",
    minNotional: "5.00",
    applyMinToMarket: true,
    maxNotional: "9000000.00",
  }),
};

const PERP_SYMBOL = {
  symbol: "ETHUSDT",
  pair: "ETHUSDT",
  contractType: "PERPETUAL",
  deliveryDate: 4133404800000,
  onboardDate: 1569398400000,
  status: "TRADING",
  baseAsset: "ETH",
  quoteAsset: "USDT",
  marginAsset: "USDT",
  pricePrecision: 2,
  quantityPrecision: 3,
  baseAssetPrecision: 8,
  quotePrecision: 8,
  underlyingType: "COIN",
  settlePlan: 0,
  filters: filters("0.001", "0.001", { filterType: "MIN_NOTIONAL", notional: "20" }),
  orderTypes: ["LIMIT", "MARKET"],
  timeInForce: ["GTC", "IOC", "FOK", "GTX"],
};
