import { describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Order } from "../../lib/core/types.ts";
import { Ledger } from "../../lib/storage/ledger.ts";
import { recorder } from "../../lib/storage/recorder.ts";

const T = Date.UTC(2024, 4, 1, 12);

function setup() {
  const ledger = Ledger.open(join(mkdtempSync(join(tmpdir(), "mmbot-rec-")), "ledger.sqlite"));
  const account = ledger.openAccount({
    created_ts: T,
    mode: "paper",
    symbol: "ETH/USDT",
    initial_base: 1,
    initial_quote: 1000,
    initial_mid: 100,
  });
  let equity: { mid: number; base: number; quote: number } | null = { mid: 100, base: 1, quote: 1000 };
  const record = recorder(ledger, account, { replay: true, prefix: "mmbot-", equityNow: () => equity });
  const status = () =>
    Object.fromEntries(
      (ledger.db.prepare("SELECT client_order_id, status FROM orders ORDER BY client_order_id").all() as {
        client_order_id: string;
        status: string;
      }[]).map((r) => [r.client_order_id, r.status]),
    );
  return { ledger, account, record, status, setEquity: (e: typeof equity) => (equity = e) };
}

const order = (id: string, side: Order["side"]): Order => ({
  clientOrderId: id,
  venueOrderId: `v-${id}`,
  side,
  price: side === "buy" ? 99 : 101,
  amount: 0.1,
  filled: 0,
  status: "open",
  ts: T,
});

describe("the recorder (engine events → ledger)", () => {
  test("order rows a dead run left open are closed at the next start; cancelled and filled ones keep their status", () => {
    const { record, status } = setup();
    // a run placed three orders, then died: one was cancelled, one filled, one left open in the ledger
    for (const o of [order("mmbot-a-1", "buy"), order("mmbot-a-2", "sell"), order("mmbot-a-3", "buy")]) {
      record({ type: "order_placed", ts: T, order: o });
    }
    record({ type: "order_cancelled", ts: T + 1, order: order("mmbot-a-1", "buy") });
    record({
      type: "fill",
      ts: T + 2,
      fill: {
        tradeId: "t1",
        clientOrderId: "mmbot-a-2",
        side: "sell",
        price: 101,
        amount: 0.1,
        feeQuote: 0.01,
        ts: T + 2,
      },
      inventoryRatio: 0.5,
      spreadCaptureBps: 1,
    });
    expect(status()).toEqual({ "mmbot-a-1": "cancelled", "mmbot-a-2": "filled", "mmbot-a-3": "open" });
    record({ type: "start", ts: T + 60_000, cancelledLeftovers: 0, lastTradeId: "t1" });
    expect(status()).toEqual({ "mmbot-a-1": "cancelled", "mmbot-a-2": "filled", "mmbot-a-3": "abandoned" });
  });

  test("rows under another client id prefix stay open: this run cannot see those orders at the venue", () => {
    const { ledger, account, record, status } = setup();
    record({ type: "order_placed", ts: T, order: order("old-x-1", "buy") });
    record({ type: "order_placed", ts: T, order: order("mmbot-b-1", "buy") });
    record({ type: "start", ts: T + 60_000, cancelledLeftovers: 0, lastTradeId: null });
    expect(status()).toEqual({ "mmbot-b-1": "abandoned", "old-x-1": "open" });
    expect(ledger.openOrderIds(account.id)).toEqual(["old-x-1"]);
  });

  test("a new account's fills start after the venue's history; a later start does not move that mark", () => {
    const { ledger, account, record } = setup();
    record({ type: "start", ts: T, cancelledLeftovers: 0, lastTradeId: "900" });
    record({ type: "start", ts: T + 1, cancelledLeftovers: 0, lastTradeId: "950" });
    expect(ledger.getState(`trades_after:${account.id}`)).toBe("900");
  });

  test("ticks keep the replay position and an equity snapshot a minute (none before a top of book)", () => {
    const { ledger, account, record, setEquity } = setup();
    setEquity(null);
    record({ type: "tick", ts: T });
    setEquity({ mid: 100, base: 1, quote: 1000 });
    record({ type: "tick", ts: T + 15_000 });
    record({ type: "tick", ts: T + 30_000 }); // within the minute: no second snapshot
    setEquity({ mid: 110, base: 1, quote: 1000 });
    record({ type: "tick", ts: T + 75_000 });
    expect(ledger.getState(`replay_ts:${account.id}`)).toBe(String(T + 75_000));
    const rows = ledger.db.prepare("SELECT ts, equity FROM equity ORDER BY ts").all();
    // 1 × 100 + 1000 = 1100 at T + 15 s; 1 × 110 + 1000 = 1110 at T + 75 s
    expect(rows).toEqual([{ ts: T + 15_000, equity: 1100 }, { ts: T + 75_000, equity: 1110 }]);
  });

  test("a write the ledger refuses reaches the engine (it throws): the engine fails closed", () => {
    const { ledger, record } = setup();
    ledger.close();
    expect(() => record({ type: "order_placed", ts: T, order: order("mmbot-b-1", "buy") })).toThrow();
  });
});
