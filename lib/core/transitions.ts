/**
 * Transitions: conditions alerted when they change, not every tick — the inventory limit (hit / cleared), the
 * liquidation guard (hit / cleared), a stale order book and stale candles (stale / fresh). Pure: the state before
 * and this tick's observation give the state after and the events to tell.
 */
import type { EngineEvent } from "./events.ts";
import type { InventoryLimit, QuoteDecision } from "./quoting.ts";
import type { Side } from "./types.ts";

export interface Transitions {
  /** the events the last change raised (none when the state came through a tick unchanged) */
  events: readonly EngineEvent[];
  inventoryLimit: InventoryLimit;
  /** the side the liquidation guard keeps out of the book, null when none */
  liquidationGuard: Side | null;
  staleBook: boolean;
  staleCandles: boolean;
}

const NONE: readonly EngineEvent[] = Object.freeze([]);

export const NO_TRANSITIONS: Transitions = Object.freeze({
  events: NONE,
  inventoryLimit: null,
  liquidationGuard: null,
  staleBook: false,
  staleCandles: false,
});

/**
 * The state after this tick, carrying one event per condition that changed (`before` itself when nothing did and
 * it raised none, so most ticks allocate nothing). Each
 * observation: why the book / the candles are stale (null: fresh; undefined: not looked at this tick, the state
 * before stays), and the quote decision when the tick quoted.
 */
export function transition(
  before: Transitions,
  ts: number,
  staleBook?: string | null,
  staleCandles?: string | null,
  quote?: Extract<QuoteDecision, { action: "quote" }>,
): Transitions {
  let after = before, events: EngineEvent[] | null = null;
  if (staleBook !== undefined && (staleBook !== null) !== before.staleBook) {
    const stale = staleBook !== null, detail = staleBook ?? "the order book is fresh";
    after = { ...after, staleBook: stale };
    (events ??= []).push({ type: "stale_book", ts, state: stale ? "stale" : "fresh", detail });
  }
  if (staleCandles !== undefined && (staleCandles !== null) !== before.staleCandles) {
    const stale = staleCandles !== null, detail = staleCandles ?? "the candles are fresh";
    after = { ...after, staleCandles: stale };
    (events ??= []).push({ type: "stale_candles", ts, state: stale ? "stale" : "fresh", detail });
  }
  if (quote) {
    const limit = quote.inventoryLimit, ratio = quote.figures.inventoryRatio;
    if (limit !== before.inventoryLimit) {
      after = { ...after, inventoryLimit: limit };
      (events ??= []).push(
        limit
          ? { type: "inventory_limit", ts, state: "hit", limit, ratio }
          : { type: "inventory_limit", ts, state: "cleared", limit: before.inventoryLimit, ratio },
      );
    }
    const { bid, ask } = quote.skipped;
    const side = bid?.reason === "liquidation_guard" ? "buy" : ask?.reason === "liquidation_guard" ? "sell" : null;
    if (side !== before.liquidationGuard) {
      after = { ...after, liquidationGuard: side };
      (events ??= []).push(
        side === null
          ? { type: "liquidation_guard", ts, state: "cleared", side: null, detail: "far enough from liquidation" }
          : { type: "liquidation_guard", ts, state: "hit", side, detail: (side === "buy" ? bid : ask)!.detail },
      );
    }
  }
  if (events) return { ...after, events };
  return after.events.length ? { ...after, events: NONE } : after;
}
