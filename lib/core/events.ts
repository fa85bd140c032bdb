/**
 * What the engine tells the rest of the bot, past tense: the ledger recorder, alerts, metrics, the
 * console and the dashboard all listen to these. Plain data, so every listener reads the same facts.
 */
import type { FundingPayment } from "./funding.ts";
import type { InventoryLimit } from "./quoting.ts";
import type { Fill, Order, Side } from "./types.ts";

/** Who paused the bot: the operator (from where), or one of the bot's own guards. */
export type PauseSource = "telegram" | "http" | "cli" | "kill_switch" | "error_breaker";

export type EngineEvent =
  | { type: "start"; ts: number; cancelledLeftovers: number; lastTradeId: string | null }
  /** `resting`: orders of ours a final open-orders query still saw (or the last known, `confirmed` false) */
  | { type: "stop"; ts: number; cancelled: number; resting: Order[]; confirmed: boolean }
  | { type: "tick"; ts: number }
  | { type: "fill"; ts: number; fill: Fill; inventoryRatio: number; spreadCaptureBps: number | null }
  | { type: "inventory_limit"; ts: number; state: "hit" | "cleared"; limit: InventoryLimit; ratio: number }
  | { type: "error"; ts: number; message: string; consecutive: number }
  /** `detail`: the last error, when tripped */
  | { type: "error_breaker"; ts: number; state: "tripped" | "recovered"; consecutive: number; detail?: string }
  | { type: "kill_switch"; ts: number; drawdownPct: number; equity: number; peakEquity: number }
  /** the order book is older than risk.max_book_age_s (stale) / current again (fresh) */
  | { type: "stale_book"; ts: number; state: "stale" | "fresh"; detail: string }
  /** the last closed candle is older than strategy.max_candle_age_s (stale) / current again (fresh) */
  | { type: "stale_candles"; ts: number; state: "stale" | "fresh"; detail: string }
  | { type: "order_placed"; ts: number; order: Order }
  | { type: "order_cancelled"; ts: number; order: Order }
  /** after the first cancel attempt; `resting` orders are retried every tick until none is left */
  | { type: "paused"; ts: number; cancelled: number; resting: number; source: PauseSource; detail: string }
  /** a pause that left orders resting has now pulled them all */
  | { type: "orders_pulled"; ts: number; cancelled: number }
  /** the ledger refused a write: not quoting until it records again */
  | { type: "ledger_failed"; ts: number; message: string }
  | { type: "ledger_recovered"; ts: number }
  | { type: "resumed"; ts: number }
  | { type: "order_rejected"; ts: number; side: Side; reason: string; message: string }
  /** perp: the liquidation guard stopped (hit) or let again (cleared) quoting the side that adds to the position */
  | { type: "liquidation_guard"; ts: number; state: "hit" | "cleared"; side: Side | null; detail: string }
  /** perp: a funding payment booked (received > 0, paid < 0) */
  | { type: "funding"; ts: number; payment: FundingPayment };
