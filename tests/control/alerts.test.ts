import { describe, expect, jest, test } from "bun:test";
import { type Alert, Alerter, BoundedQueue, clip, TELEGRAM_LIMIT } from "../../lib/control/alerts.ts";
import type { Config } from "../../lib/config/schema.ts";
import type { EngineEvent } from "../../lib/core/events.ts";
import type { Fill } from "../../lib/core/types.ts";
import { fillsText, ordersText } from "../../lib/control/reports.ts";
import { config, openOrder } from "../fixtures.ts";

const TS = Date.UTC(2024, 4, 1, 12, 0);

function setup(...sets: string[]) {
  let cfg: Config = config("telegram.coalesce_fills_s=0.05", ...sets);
  let now = 0;
  const sent: Alert[] = [];
  const alerter = new Alerter({ config: () => cfg, push: (a) => sent.push(a), now: () => now });
  return {
    alerter,
    sent,
    texts: () => sent.map((a) => a.text),
    advance: (ms: number) => (now += ms),
    setConfig: (c: Config) => (cfg = c),
  };
}

const fill = (n: number, side: Fill["side"] = "buy"): EngineEvent => ({
  type: "fill",
  ts: TS + n,
  inventoryRatio: 0.5 + n / 1000,
  spreadCaptureBps: 3,
  fill: { tradeId: `t${n}`, clientOrderId: "mmbot-x-1", side, price: 3000 + n, amount: 0.01, feeQuote: 0.03, ts: TS },
});
const error = (message: string, consecutive = 1): EngineEvent => ({ type: "error", ts: TS, message, consecutive });
/** Runs `body` on bun's fake timers: the coalescing timer fires only when the test advances time. */
async function withFakeTimers(body: () => void | Promise<void>) {
  jest.useFakeTimers();
  try {
    await body();
  } finally {
    jest.useRealTimers();
  }
}

describe("alerts", () => {
  test("a liquidation (the venue's autoclose fill) alerts at once and loudly, even with fill alerts off", () => {
    const { alerter, texts } = setup("market.type=perp", "telegram.alerts.fills=off");
    alerter.handle({
      type: "fill",
      ts: TS,
      inventoryRatio: 0.5,
      spreadCaptureBps: null,
      fill: {
        tradeId: "t9",
        clientOrderId: `autoclose-${TS}`,
        side: "sell",
        price: 2751.97,
        amount: 0.5,
        feeQuote: 6.88,
        ts: TS,
      },
    });
    expect(texts()).toEqual([
      "💥 LIQUIDATED: the venue closed the position, sell 0.5 ETH at 2751.97 (liquidation fee 6.88 USDT); open orders cancelled, the bot goes on with what is left",
    ]);
  });

  test("fills arriving together are coalesced into one message, each line with side, amount, price, fee, inventory", () =>
    withFakeTimers(() => {
      // telegram.coalesce_fills_s 0.05: the message goes out 50 ms after the first fill of a batch
      const { alerter, texts } = setup();
      alerter.handle(fill(1));
      jest.advanceTimersByTime(30);
      alerter.handle(fill(2, "sell"));
      alerter.handle(fill(3));
      jest.advanceTimersByTime(19); // 49 ms after the first: still waiting for more
      expect(texts()).toEqual([]);
      jest.advanceTimersByTime(1);
      expect(texts()).toEqual([
        [
          "3 fills:",
          "🟢 BUY 0.01 ETH @ 3001.00 · fee 0.0300 USDT · inventory 0.501",
          "🔴 SELL 0.01 ETH @ 3002.00 · fee 0.0300 USDT · inventory 0.502",
          "🟢 BUY 0.01 ETH @ 3003.00 · fee 0.0300 USDT · inventory 0.503",
        ].join("\n"),
      ]);
      // a later fill starts a new batch of its own; a single fill also says when it happened
      alerter.handle(fill(4));
      jest.advanceTimersByTime(49);
      expect(texts()).toHaveLength(1);
      jest.advanceTimersByTime(1);
      expect(texts()).toHaveLength(2);
      expect(texts()[1]).toBe("🟢 BUY 0.01 ETH @ 3004.00 · fee 0.0300 USDT · inventory 0.504\n2024-05-01 12:00:00 UTC");
      // nothing is left waiting to be sent twice
      jest.advanceTimersByTime(1_000);
      expect(texts()).toHaveLength(2);
    }));

  test("a burst of hundreds of fills stays one message under Telegram's limit", () => {
    const { alerter, sent } = setup();
    for (let i = 0; i < 500; i++) alerter.handle(fill(i));
    alerter.flushFills();
    expect(sent.length).toBe(1);
    expect(sent[0].text.length).toBeLessThanOrEqual(TELEGRAM_LIMIT);
    expect(sent[0].text).toStartWith("500 fills:");
    expect(sent[0].text).toEndWith("… and 460 more (/fills)");
  });

  test("the same error is sent once per window, then again with the count of repeats", () => {
    const { alerter, texts, advance } = setup("telegram.error_repeat_s=60");
    alerter.handle(error("exchange timeout", 1));
    alerter.handle(error("exchange timeout", 2));
    alerter.handle(error("exchange timeout", 3));
    alerter.handle(error("balance fetch failed"));
    expect(texts()).toEqual([
      "⚠️ Error (1 in a row): exchange timeout",
      "⚠️ Error (1 in a row): balance fetch failed",
    ]);
    advance(60_000);
    alerter.handle(error("exchange timeout", 4));
    expect(texts()[2]).toBe("⚠️ Error (4 in a row): exchange timeout (and 2 more time(s) since the last alert)");
  });

  test("errors are rate-limited overall: at most 5 a minute whatever their text", () => {
    const { alerter, sent, advance } = setup();
    for (let i = 0; i < 20; i++) alerter.handle(error(`distinct failure ${i}`));
    expect(sent.length).toBe(5);
    advance(61_000);
    alerter.handle(error("distinct failure 7"));
    expect(sent.at(-1)!.text).toBe(
      "⚠️ Error (1 in a row): distinct failure 7 (and 1 more time(s) since the last alert)",
    );
  });

  test("per-category levels: on notifies, silent does not, off sends nothing; a /set applies at once", () => {
    const { alerter, sent, setConfig } = setup("telegram.alerts.stale_book=off", "telegram.alerts.kill_switch=silent");
    alerter.handle({ type: "stale_book", ts: TS, state: "stale", detail: "order book 45 s old" });
    alerter.handle({ type: "kill_switch", ts: TS, drawdownPct: 10.5, equity: 5370, peakEquity: 6000 });
    alerter.handle({ type: "inventory_limit", ts: TS, state: "hit", limit: "base_high", ratio: 0.85 });
    expect(sent).toEqual([
      {
        text:
          "🛑 Kill switch: equity 5370.00 USDT is 10.50 % below its peak 6000.00 (limit 10 %). Orders cancelled; /resume to quote again",
        silent: true,
      },
      {
        text: "⚖️ Inventory limit hit: ETH share 0.850 is above target ± 0.3; quoting only the side that reduces it",
        silent: false,
      },
    ]);
    setConfig(config("telegram.alerts.stale_book=on"));
    alerter.handle({ type: "stale_book", ts: TS, state: "fresh", detail: "the order book is fresh" });
    expect(sent.at(-1)).toEqual({ text: "✅ Order book fresh again", silent: false });
  });

  test("insufficient funds alerts; a post-only rejection (routine) does not", () => {
    const { alerter, texts } = setup();
    alerter.handle({ type: "order_rejected", ts: TS, side: "buy", reason: "post_only", message: "would cross" });
    alerter.handle({
      type: "order_rejected",
      ts: TS,
      side: "sell",
      reason: "insufficient_funds",
      message: "0.001 ETH",
    });
    expect(texts()).toEqual(["⚠️ Insufficient funds: sell side skipped (0.001 ETH)"]);
  });

  test("stop flushes waiting fills before saying goodbye", () => {
    const { alerter, texts } = setup("telegram.coalesce_fills_s=60");
    alerter.handle(fill(1));
    alerter.handle({ type: "stop", ts: TS, cancelled: 2, resting: [], confirmed: true });
    expect(texts().map((t) => t.split("\n")[0])).toEqual([
      "🟢 BUY 0.01 ETH @ 3001.00 · fee 0.0300 USDT · inventory 0.501",
      "⏹ mmbot stopped; cancelled 2 order(s)",
    ]);
  });

  test("a stop that leaves orders resting alerts loudly, listing them", () => {
    const { alerter, sent } = setup();
    const order = {
      clientOrderId: "mmbot-abc1234-7",
      venueOrderId: "1001",
      side: "buy" as const,
      price: 2990.5,
      amount: 0.01,
      filled: 0,
      status: "open" as const,
      ts: TS,
    };
    alerter.handle({ type: "stop", ts: TS, cancelled: 1, resting: [order], confirmed: true });
    alerter.handle({ type: "stop", ts: TS, cancelled: 0, resting: [], confirmed: false });
    expect(sent.map((a) => [a.text, a.silent])).toEqual([
      [
        "🚨 mmbot stopped, but 1 order(s) of ours still rest; cancel them on the exchange:\nbuy 0.01 @ 2990.50 (mmbot-abc1234-7)",
        false,
      ],
      [
        "🚨 mmbot stopped, but the venue could not confirm that nothing of ours rests; cancel them on the exchange: (last known: none)",
        false,
      ],
    ]);
  });

  test("a pause that could not cancel everything says so; the ledger failing and recovering are errors", () => {
    const { alerter, texts } = setup();
    alerter.handle({ type: "paused", ts: TS, cancelled: 1, resting: 1, source: "http", detail: "paused from http" });
    alerter.handle({ type: "orders_pulled", ts: TS, cancelled: 1 });
    alerter.handle({ type: "ledger_failed", ts: TS, message: "disk I/O error" });
    alerter.handle({ type: "ledger_recovered", ts: TS });
    expect(texts()).toEqual([
      "⏸ Paused (paused from http); cancelled 1 order(s), 1 still resting: retried every tick",
      "✅ Nothing of ours rests any more (cancelled 1 more)",
      "🛑 The ledger cannot record (disk I/O error): not quoting, orders cancelled",
      "✅ The ledger records again; quoting resumes",
    ]);
  });

  test("clip keeps messages within 4096 characters and says it cut", () => {
    expect(clip("short")).toBe("short");
    const long = clip("x".repeat(10_000));
    expect(long.length).toBe(TELEGRAM_LIMIT);
    expect(long).toEndWith("(cut to fit Telegram's 4096 characters)");
  });

  test("the bounded queue drops the oldest and counts them", () => {
    const dropped: number[] = [];
    const q = new BoundedQueue<number>(3, (n) => dropped.push(n));
    for (let i = 1; i <= 5; i++) q.push(i);
    expect([q.shift(), q.shift(), q.shift(), q.shift()]).toEqual([3, 4, 5, undefined]);
    expect(dropped).toEqual([1, 2]);
    expect(q.dropped).toBe(2);
  });
});

describe("one way of printing a price on the tick", () => {
  test("a fill at 3003.5 on the 0.01 tick reads 3003.50 in its alert, in /fills and in /orders", () =>
    withFakeTimers(() => {
      const { alerter, texts } = setup();
      const cfg = config(); // ETH/USDT, tick 0.01, lot 0.0001
      const f: Fill = {
        tradeId: "t1",
        clientOrderId: "mmbot-x-1",
        side: "buy",
        price: 3003.5,
        amount: 0.01,
        feeQuote: 0.03,
        ts: TS,
      };
      alerter.handle({ type: "fill", ts: TS, inventoryRatio: 0.5, spreadCaptureBps: 3, fill: f });
      jest.advanceTimersByTime(50);
      const at = (text: string) => text.match(/ETH @ (\S+)/)?.[1];
      expect(at(texts()[0])).toBe("3003.50");
      expect(at(fillsText([{ ...f, spreadCaptureBps: 3 }], cfg.market))).toBe("3003.50");
      const order = { ...f, venueOrderId: "v1", filled: 0, status: "open" as const };
      expect(at(ordersText([order], cfg.market))).toBe("3003.50");
    }));
});

describe("/orders", () => {
  test("every order with its level, bids first, each side from level 0 outwards (no level: 0)", () => {
    const o = (id: string, side: "buy" | "sell", price: number, level?: number) => ({
      ...openOrder(id, side, price, TS),
      ...(level === undefined ? {} : { level }),
    });
    const listed = [o("s1", "sell", 3006.01, 1), o("b2", "buy", 2991, 2), o("b0", "buy", 2997), o("s0", "sell", 3003)];
    listed.push(o("b1", "buy", 2994, 1));
    expect(ordersText(listed, config().market)).toBe([
      "📋 5 open order(s)",
      "BUY  0.01 ETH @ 2997.00 · level 0 · b0",
      "BUY  0.01 ETH @ 2994.00 · level 1 · b1",
      "BUY  0.01 ETH @ 2991.00 · level 2 · b2",
      "SELL 0.01 ETH @ 3003.00 · level 0 · s0",
      "SELL 0.01 ETH @ 3006.01 · level 1 · s1",
    ].join("\n"));
  });
});
