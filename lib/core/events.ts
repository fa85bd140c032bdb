/**
 * What the engine tells the rest of the bot, past tense: the ledger recorder, alerts, metrics, the
 * console and the dashboard all listen to these. Plain data, so every listener reads the same facts.
 */
import type { InventoryLimit } from "./quoting.ts";
import type { Fill, Order, Side } from "./types.ts";

export type EngineEvent =
  | { type: "start"; ts: number; cancelledLeftovers: number; lastTradeId: string | null }
  | { type: "stop"; ts: number; cancelled: number }
  | { type: "tick"; ts: number }
  | { type: "fill"; ts: number; fill: Fill; inventoryRatio: number; spreadCaptureBps: number | null }
  | { type: "inventory_limit"; ts: number; state: "hit" | "cleared"; limit: InventoryLimit; ratio: number }
  | { type: "error"; ts: number; message: string; consecutive: number }
  | { type: "error_breaker"; ts: number; state: "tripped" | "recovered"; consecutive: number; reason?: string }
  | { type: "kill_switch"; ts: number; drawdownPct: number; equity: number; peakEquity: number }
  | { type: "stale_data"; ts: number; state: "stale" | "fresh"; detail: string }
  | { type: "order_placed"; ts: number; order: Order }
  | { type: "order_cancelled"; ts: number; order: Order }
  | { type: "paused"; ts: number; cancelled: number }
  | { type: "resumed"; ts: number }
  | { type: "order_rejected"; ts: number; side: Side; reason: string; message: string };

export type EngineEventType = EngineEvent["type"];
