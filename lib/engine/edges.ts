/**
 * Conditions that are alerted when they change, not every tick: the inventory limit (hit / cleared)
 * and stale market data (stale / fresh). Each method returns the event to emit, or null.
 */
import type { EngineEvent } from "../core/events.ts";
import type { InventoryLimit } from "../core/quoting.ts";

type Event<T extends EngineEvent["type"]> = Extract<EngineEvent, { type: T }>;

export class Edges {
  #limit: InventoryLimit = null;
  #stale = false;

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
