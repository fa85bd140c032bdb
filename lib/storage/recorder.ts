/**
 * The recorder: writes the engine's events to the ledger, synchronously, before anyone else hears of
 * them — orders, fills, the replay position and an equity snapshot a minute. It is the engine's
 * durable sink: a write that throws reaches the engine, which stops quoting (fail closed). The pause,
 * the kill switch and the peak equity are written through the engine's control store (lib/app).
 */
import type { EngineEvent } from "../core/events.ts";
import type { Account, Ledger } from "./ledger.ts";

const EQUITY_EVERY_MS = 60_000;

export interface RecorderOptions {
  /** paper replay: the position in the data is kept at every tick, so a restart continues there */
  replay: boolean;
  /** market.client_order_prefix: the orders this run can see and cancel */
  prefix: string;
  /** mid and balances now, for the equity snapshot; null before the first top of book */
  equityNow(): { mid: number; base: number; quote: number } | null;
}

/** The engine's `record` sink for `account`: throws when the ledger cannot write. */
export function recorder(ledger: Ledger, account: Account, opts: RecorderOptions): (e: EngineEvent) => void {
  let lastEquityTs = 0;
  return (e) => {
    switch (e.type) {
      case "fill":
        ledger.recordFill(account.id, e.fill, e.spreadCaptureBps);
        break;
      case "funding":
        ledger.recordFunding(account.id, e.payment);
        break;
      case "order_placed":
        ledger.recordOrder(account.id, e.order, e.ts);
        break;
      case "order_cancelled":
        ledger.setOrderStatus(e.order.clientOrderId, "cancelled", e.ts);
        break;
      case "start":
        // a new account's fills start after whatever the venue already had
        if (ledger.getState(`trades_after:${account.id}`) === null) {
          ledger.setState(`trades_after:${account.id}`, e.lastTradeId ?? "");
        }
        // leftovers are cancelled and missed fills booked by now: what is still `open` died with its run
        ledger.abandonOpenOrders(account.id, e.ts, opts.prefix);
        break;
      case "tick": {
        if (opts.replay) ledger.setState(`replay_ts:${account.id}`, String(e.ts));
        if (e.ts - lastEquityTs < EQUITY_EVERY_MS) break;
        const now = opts.equityNow();
        if (!now) break;
        lastEquityTs = e.ts;
        ledger.recordEquity(account.id, e.ts, now.mid, now.base, now.quote);
        break;
      }
    }
  };
}
