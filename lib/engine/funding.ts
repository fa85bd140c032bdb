/**
 * Funding for perpetuals (DESIGN §13), booked by the engine once a tick:
 * - `rates` (paper on replayed or live data, backtest): at each funding time the position is noted as it was at
 *   that moment (fills collected this tick that happened after it are taken back out), and once the 1m candle
 *   starting at the funding time has closed, `−position × candle open × rate` is credited to quote;
 * - `payments` (live): the venue's own funding payments, each booked once (its id), shortly after each funding
 *   time and once at start for those missed while the bot was down.
 */
import { applyFunding, type Portfolio } from "../core/accounting.ts";
import { messageOf } from "../core/format.ts";
import type { EngineEvent } from "../core/events.ts";
import { computedFunding, FUNDING_INTERVAL_MS, type FundingPayment, fundingTimesBetween } from "../core/funding.ts";
import type { Candle, Fill } from "../core/types.ts";

type FundingEvent = Extract<EngineEvent, { type: "funding" }>;

export type FundingSource =
  /** the rate at a funding time (null: unknown, no payment) */
  | { kind: "rates"; rateAt(ts: number): number | null | Promise<number | null> }
  /** the venue's payments after `afterTs` (ms), oldest first */
  | { kind: "payments"; since(afterTs: number | null): Promise<FundingPayment[]> };

export interface FundingOptions {
  source: FundingSource;
  /** the last funding time already booked (the ledger's), null: none — funding starts with the first tick */
  afterTs: number | null;
  /** computed payments: also credit the paper venue's account, so its margin and liquidation price count them */
  credit?: (amountQuote: number) => void;
}

/** A pending funding time waits this long for its candle (a gap in the data) before it is given up and counted. */
const CANDLE_WAIT_MS = 10 * 60_000;
/** live: how long after a funding time the venue is asked for its payment, and how often */
const PAYMENT_WINDOW_MS = 15 * 60_000;
const PAYMENT_POLL_MS = 60_000;

const NONE: readonly FundingEvent[] = [];

/** A funding time passed, with the position at that moment, waiting for its candle. */
type Pending = { ts: number; positionBase: number };

export class FundingLedger {
  readonly #source: FundingSource;
  readonly #credit: ((amountQuote: number) => void) | undefined;
  #afterTs: number | null;
  #pending: Pending[] = [];
  readonly #booked = new Set<string>();
  #lastPollMs = -Infinity;
  /** live: the funding time whose payment was booked, or waited for long enough */
  #doneTo = -Infinity;
  /** funding times given up: no candle, or no rate */
  missed = 0;
  /** why the last `settle` could not ask the venue (it never throws for that: the tick goes on), null when it could */
  failure: string | null = null;

  constructor(opts: FundingOptions) {
    this.#source = opts.source;
    this.#afterTs = opts.afterTs;
    this.#credit = opts.credit;
  }

  /** Whether `settle` has anything to do at `now` (most ticks: no, decided without a promise or an allocation). */
  due(now: number): boolean {
    const after = this.#afterTs;
    if (this.#source.kind === "rates") {
      return after === null || this.#pending.length > 0 ||
        Math.floor(now / FUNDING_INTERVAL_MS) > Math.floor(after / FUNDING_INTERVAL_MS);
    }
    const latest = Math.floor(now / FUNDING_INTERVAL_MS) * FUNDING_INTERVAL_MS;
    return latest > (after ?? -Infinity) && latest > this.#doneTo && now - this.#lastPollMs >= PAYMENT_POLL_MS;
  }

  /** Books what is due at `now` into `portfolio`; returns one event per payment. Throws only what the venue throws. */
  async settle(
    now: number,
    portfolio: Portfolio,
    batch: readonly Fill[],
    candles: readonly Candle[],
  ): Promise<readonly FundingEvent[]> {
    this.failure = null;
    if (this.#source.kind === "payments") return await this.#payments(now, portfolio);
    if (this.#afterTs === null) this.#afterTs = now; // no funding before the first tick
    // most ticks cross no funding time: one division, no allocation
    if (Math.floor(now / FUNDING_INTERVAL_MS) > Math.floor(this.#afterTs / FUNDING_INTERVAL_MS)) {
      for (const ts of fundingTimesBetween(this.#afterTs, now)) {
        let positionBase = portfolio.base;
        for (const f of batch) if (f.ts > ts) positionBase -= f.side === "buy" ? f.amount : -f.amount;
        // float dust of many fills (−1.7e−18 for flat) is no position: steps are ≥ 1e−12 (config bounds)
        this.#pending.push({ ts, positionBase: Number(positionBase.toFixed(12)) });
      }
    }
    this.#afterTs = now;
    if (!this.#pending.length) return NONE;
    const events: FundingEvent[] = [];
    const waiting: Pending[] = [];
    for (const p of this.#pending) {
      const candle = findCandle(candles, p.ts);
      if (!candle) {
        if (now - p.ts > CANDLE_WAIT_MS) this.missed++;
        else waiting.push(p);
        continue;
      }
      if (p.positionBase === 0) continue; // flat: nothing to pay or receive
      let rate: number | null;
      try {
        rate = await this.#source.rateAt(p.ts);
      } catch (e) {
        // the venue cannot say now: asked again next tick, as long as a missing candle would be waited for; the
        // trading tick goes on either way (a funding outage must not pull quotes or trip the breaker)
        this.failure = messageOf(e);
        if (now - p.ts > CANDLE_WAIT_MS) this.missed++;
        else waiting.push(p);
        continue;
      }
      if (rate === null) {
        this.missed++;
        continue;
      }
      const payment = computedFunding(p.ts, p.positionBase, candle.open, rate);
      this.#credit?.(payment.amountQuote);
      events.push(this.#apply(portfolio, payment));
    }
    this.#pending = waiting;
    return events;
  }

  /**
   * Live: after each funding time the venue is asked (at most once a minute) until its payment for that time
   * arrives, or for 15 minutes when none comes (a flat position pays nothing); at start, once when a funding
   * time passed since the last payment booked (those made while the bot was down).
   */
  async #payments(now: number, portfolio: Portfolio): Promise<readonly FundingEvent[]> {
    if (this.#source.kind !== "payments") return NONE;
    const latest = Math.floor(now / FUNDING_INTERVAL_MS) * FUNDING_INTERVAL_MS;
    if (latest <= (this.#afterTs ?? -Infinity) || latest <= this.#doneTo) return NONE;
    if (now - this.#lastPollMs < PAYMENT_POLL_MS) return NONE;
    this.#lastPollMs = now;
    let payments: FundingPayment[];
    try {
      payments = await this.#source.since(this.#afterTs);
    } catch (e) {
      // asked again in a minute; past the window, at the next funding time (`since` still starts at the last one booked)
      this.failure = messageOf(e);
      if (now - latest > PAYMENT_WINDOW_MS) this.#doneTo = latest;
      return NONE;
    }
    const events: FundingEvent[] = [];
    for (const p of payments) {
      if (this.#booked.has(p.id)) continue;
      events.push(this.#apply(portfolio, p));
      this.#afterTs = Math.max(this.#afterTs ?? 0, p.ts);
    }
    if (payments.some((p) => p.ts >= latest) || now - latest > PAYMENT_WINDOW_MS) this.#doneTo = latest;
    return events;
  }

  #apply(portfolio: Portfolio, payment: FundingPayment): FundingEvent {
    applyFunding(portfolio, payment.amountQuote);
    this.#booked.add(payment.id);
    if (this.#booked.size > 1000) this.#booked.delete(this.#booked.values().next().value!);
    return { type: "funding", ts: payment.ts, payment };
  }
}

/** The candle opening at `ts`, searched from the newest (funding is booked a minute or two after its time). */
function findCandle(candles: readonly Candle[], ts: number): Candle | undefined {
  for (let i = candles.length - 1; i >= 0; i--) {
    if (candles[i].ts === ts) return candles[i];
    if (candles[i].ts < ts) return undefined;
  }
  return undefined;
}
