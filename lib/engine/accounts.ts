/**
 * Our accounts as the engine keeps them: the portfolio (balances, fees, PnL by average cost) and what changes it —
 * fills (the watermark and the mid at each placement, fills.ts) and perp funding (funding.ts). The one writer of
 * the portfolio; what happened comes back as events for the engine to record and tell.
 */
import type { Portfolio } from "../core/accounting.ts";
import type { EngineEvent } from "../core/events.ts";
import type { StrategyParams } from "../core/params.ts";
import type { Candle, Fill, MarketType } from "../core/types.ts";
import type { Work } from "./drive.ts";
import { FillTracker } from "./fills.ts";
import { FundingLedger, type FundingOptions } from "./funding.ts";

const NONE: readonly EngineEvent[] = Object.freeze([]);

export class Accounts {
  readonly #fills: FillTracker;
  readonly #funding: FundingLedger | null;
  #portfolio: Portfolio | null = null;

  /** `lastTradeId`: the last fill already taken (the ledger's, after a restart); `funding`: perp only */
  constructor(lastTradeId: string | null, funding: FundingOptions | undefined) {
    this.#fills = new FillTracker(lastTradeId);
    this.#funding = funding ? new FundingLedger(funding) : null;
  }

  /** null before the start */
  get portfolio(): Portfolio | null {
    return this.#portfolio;
  }

  /** The venue's trade id of the last fill taken (the watermark for fills after a restart). */
  get lastTradeId(): string | null {
    return this.#fills.lastTradeId;
  }

  /** At start: the portfolio so far; `history`: fills the venue already had, skipped (only the watermark moves). */
  open(portfolio: Portfolio, history?: readonly Fill[]): void {
    this.#portfolio = portfolio;
    if (history) this.#fills.lastTradeId = history.at(-1)?.tradeId ?? null;
  }

  /** An order of ours was placed at this mid (its fills' spread capture is measured from it). */
  placed(clientOrderId: string, mid: number): void {
    this.#fills.placed(clientOrderId, mid);
  }

  /** New fills, applied in order; one "fill" event each. */
  take(fills: readonly Fill[], type: MarketType, params: StrategyParams): readonly EngineEvent[] {
    return this.#fills.take(fills, this.#portfolio!, type, params);
  }

  /** Whether perp funding has anything to do at `now` (most ticks: no, decided without a promise). */
  fundingDue(now: number): boolean {
    return this.#funding?.due(now) ?? false;
  }

  /** Books the funding due at `now`; `failure`: why the source could not say (reported; the tick goes on). */
  *settleFunding(
    now: number,
    fills: readonly Fill[],
    candles: readonly Candle[],
  ): Work<{ events: readonly EngineEvent[]; failure: string | null }> {
    const funding = this.#funding;
    if (!funding) return { events: NONE, failure: null };
    const events = (yield funding.settle(now, this.#portfolio!, fills, candles)) as readonly EngineEvent[];
    return { events, failure: funding.failure };
  }
}
