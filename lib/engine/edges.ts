/**
 * Conditions that are alerted when they change, not every tick: the inventory limit (hit / cleared),
 * the liquidation guard (hit / cleared) and stale market data (stale / fresh). Each method returns the event to emit, or null.
 */
import type { EngineEvent } from "../core/events.ts";
import type { InventoryLimit, QuoteDecision } from "../core/quoting.ts";

type Event<T extends EngineEvent["type"]> = Extract<EngineEvent, { type: T }>;

export class Edges {
  #limit: InventoryLimit = null;
  #stale = false;
  #guard: string | null = null;

  /** The liquidation guard this tick (perp): hit when it skips a side, cleared when it no longer does. */
  liquidationGuard(ts: number, decision: QuoteDecision): Event<"liquidation_guard"> | null {
    const skipped = decision.action === "quote" ? decision.skipped : {};
    const side = skipped.bid?.reason === "liquidation_guard"
      ? "buy"
      : skipped.ask?.reason === "liquidation_guard"
      ? "sell"
      : null;
    if (side === null) {
      if (this.#guard === null) return null;
      this.#guard = null;
      return { type: "liquidation_guard", ts, state: "cleared", side: null, detail: "far enough from liquidation" };
    }
    if (this.#guard === side) return null;
    this.#guard = side;
    const detail = (side === "buy" ? skipped.bid : skipped.ask)!.detail;
    return { type: "liquidation_guard", ts, state: "hit", side, detail };
  }

  /** The inventory limit this tick (null: within limits). */
  inventoryLimit(ts: number, limit: InventoryLimit, ratio: number): Event<"inventory_limit"> | null {
    if (limit === this.#limit) return null;
    const was = this.#limit;
    this.#limit = limit;
    return limit
      ? { type: "inventory_limit", ts, state: "hit", limit, ratio }
      : { type: "inventory_limit", ts, state: "cleared", limit: was, ratio };
  }

  /** Why the market data is stale this tick, or null when it is fresh. */
  staleData(ts: number, detail: string | null): Event<"stale_data"> | null {
    if ((detail !== null) === this.#stale) return null;
    this.#stale = detail !== null;
    return { type: "stale_data", ts, state: detail ? "stale" : "fresh", detail: detail ?? "market data is fresh" };
  }
}
