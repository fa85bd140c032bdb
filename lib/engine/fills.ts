/**
 * Fill tracking: the watermark (the venue's trade id of the last fill taken), the mid at which each
 * of our orders was placed, and what every new fill does to the portfolio and the inventory.
 */
import { applyFill, type Portfolio } from "../core/accounting.ts";
import type { EngineEvent } from "../core/events.ts";
import type { StrategyParams } from "../core/params.ts";
import { inventoryRatio } from "../core/quoting.ts";
import type { Fill, MarketType } from "../core/types.ts";

type FillEvent = Extract<EngineEvent, { type: "fill" }>;

const NO_EVENTS: readonly FillEvent[] = [];

/** Fills of a cancelled order may still arrive a tick later: remember this many placements. */
const PLACED_KEPT = 1000;

export class FillTracker {
  /**
   * The last placements, a ring of ids and mids. A fill is nearly always of a recent order, so a scan back
   * from the newest is short, and placing costs no Map insert and delete of a fresh id string.
   */
  readonly #placedIds: string[] = new Array(PLACED_KEPT).fill("");
  readonly #placedMids = new Float64Array(PLACED_KEPT);
  #placedNext = 0;

  /** `lastTradeId`: the last fill already taken (the ledger's, after a restart) or null */
  constructor(public lastTradeId: string | null) {}

  /** Remembers the mid when an order was placed, for its fills' spread capture. */
  placed(clientOrderId: string, mid: number): void {
    this.#placedIds[this.#placedNext] = clientOrderId;
    this.#placedMids[this.#placedNext] = mid;
    this.#placedNext = (this.#placedNext + 1) % PLACED_KEPT;
  }

  /** The mid when this order was placed, if it is among the last placements. */
  placedMid(clientOrderId: string): number | undefined {
    for (let k = 1; k <= PLACED_KEPT; k++) {
      const i = (this.#placedNext - k + PLACED_KEPT) % PLACED_KEPT;
      if (this.#placedIds[i] === clientOrderId) return this.#placedMids[i];
      if (this.#placedIds[i] === "") return undefined;
    }
    return undefined;
  }

  /**
   * Applies new fills to the portfolio in order and moves the watermark; returns one event each.
   * Spread capture = distance of the fill from the mid at placement, bps, positive when earned.
   */
  take(fills: readonly Fill[], portfolio: Portfolio, type: MarketType, params: StrategyParams): readonly FillEvent[] {
    if (!fills.length) return NO_EVENTS; // most ticks: nothing to allocate
    const events: FillEvent[] = [];
    for (const f of fills) {
      applyFill(portfolio, f);
      this.lastTradeId = f.tradeId;
      const mid = this.placedMid(f.clientOrderId);
      const capture = mid === undefined ? null : (f.side === "buy" ? mid - f.price : f.price - mid) / mid * 10_000;
      events.push({
        type: "fill",
        ts: f.ts,
        fill: f,
        inventoryRatio: inventoryRatioAt(portfolio, f.price, type, params),
        spreadCaptureBps: capture,
      });
    }
    return events;
  }
}

/** The inventory ratio right after a fill, valued at its price (perp: the portfolio's base is the position). */
function inventoryRatioAt(p: Portfolio, price: number, type: MarketType, params: StrategyParams): number {
  const inv = type === "perp" ? { base: 0, quote: p.quote, position: p.base } : p;
  return inventoryRatio(inv, price, type, params);
}
