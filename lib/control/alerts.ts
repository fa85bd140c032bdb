/**
 * Alerts: engine events → short messages for the phone. Fills are coalesced, errors deduplicated and
 * rate-limited, each category can be on / silent / off. Messages wait in a bounded queue that a
 * sender (lib/control/telegram.ts) drains at its own pace, so nothing here ever waits on the network.
 */
import type { AlertLevel, Config } from "../config/schema.ts";
import type { EngineEvent } from "../core/events.ts";
import type { Fill } from "../core/types.ts";
import { currencies, isoMinute, onLot, onTick, plain } from "../core/format.ts";
import { isLiquidation } from "../core/margin.ts";

/** Telegram's limit for one message, in characters. */
export const TELEGRAM_LIMIT = 4096;

export interface Alert {
  text: string;
  /** delivered without a notification sound */
  silent: boolean;
}

/** Cuts text to Telegram's limit, saying that it did. */
export function clip(text: string, limit = TELEGRAM_LIMIT): string {
  if (text.length <= limit) return text;
  const tail = "\n… (cut to fit Telegram's 4096 characters)";
  return text.slice(0, limit - tail.length) + tail;
}

/** A bounded FIFO: when full, the oldest item is dropped and counted. */
export class BoundedQueue<T> {
  readonly #items: T[] = [];
  dropped = 0;
  #waiters: (() => void)[] = [];

  constructor(readonly capacity: number, readonly onDrop: (item: T) => void = () => {}) {}

  push(item: T): void {
    this.#items.push(item);
    while (this.#items.length > this.capacity) {
      this.onDrop(this.#items.shift()!);
      this.dropped++;
    }
    for (const wake of this.#waiters.splice(0)) wake();
  }

  peek(): T | undefined {
    return this.#items[0];
  }

  shift(): T | undefined {
    return this.#items.shift();
  }

  get size(): number {
    return this.#items.length;
  }

  /** Resolves when an item is pushed (at once if one is waiting). */
  waitForItem(): Promise<void> {
    if (this.#items.length) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}

type Category = keyof Config["telegram"]["alerts"];

/** At most this many error alerts per minute, whatever their text (the rest are counted). */
const ERRORS_PER_MINUTE = 5;
/** A coalesced fill alert lists at most this many fills. */
const FILLS_LISTED = 40;

export interface AlerterOptions {
  /** read at every event, so /set of an alert level applies at once */
  config: () => Config;
  /** where finished alerts go (the sender's queue); must not block */
  push: (alert: Alert) => void;
  /** wall clock for coalescing and deduplication; the engine's clock may be a replay */
  now?: () => number;
}

export class Alerter {
  readonly #opts: AlerterOptions;
  readonly #now: () => number;
  #pendingFills: { fill: Fill; ratio: number }[] = [];
  #fillTimer: ReturnType<typeof setTimeout> | null = null;
  /** per error text: when it was last sent and how often it happened since */
  readonly #errors = new Map<string, { sentAt: number; suppressed: number }>();
  #errorTimes: number[] = [];

  constructor(opts: AlerterOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
  }

  #level(category: Category): AlertLevel {
    return this.#opts.config().telegram.alerts[category];
  }

  #send(category: Category, text: string): void {
    const level = this.#level(category);
    if (level === "off") return;
    this.#opts.push({ text: clip(text), silent: level === "silent" });
  }

  handle(e: EngineEvent): void {
    const cfg = this.#opts.config();
    const [base, quote] = currencies(cfg.market.symbol);
    switch (e.type) {
      case "fill":
        if (isLiquidation(e.fill)) {
          // never coalesced or muted with the fills: the position is gone and the account goes on with what is left
          const f = e.fill;
          return this.#send(
            "inventory",
            `💥 LIQUIDATED: the venue closed the position, ${f.side} ${plain(f.amount)} ${base} at ${
              plain(f.price)
            } (liquidation fee ${
              f.feeQuote.toFixed(2)
            } ${quote}); open orders cancelled, the bot goes on with what is left`,
          );
        }
        if (this.#level("fills") === "off") return;
        this.#pendingFills.push({ fill: e.fill, ratio: e.inventoryRatio });
        if (cfg.telegram.coalesce_fills_s === 0) this.flushFills();
        else this.#fillTimer ??= setTimeout(() => this.flushFills(), cfg.telegram.coalesce_fills_s * 1000);
        return;
      case "liquidation_guard":
        // the inventory category: both say which side the bot stopped quoting, and why
        return this.#send(
          "inventory",
          e.state === "hit"
            ? `🚨 Liquidation guard: ${e.detail}; quoting only the side that reduces the position`
            : `🚨 Liquidation guard cleared: ${e.detail}; quoting both sides`,
        );
      case "inventory_limit":
        return this.#send(
          "inventory",
          e.state === "hit"
            ? `⚖️ Inventory limit hit: ${base} share ${e.ratio.toFixed(3)} is ${
              e.limit === "base_high" ? "above" : "below"
            } target ± ${cfg.strategy.max_inventory_deviation}; quoting only the side that reduces it`
            : `⚖️ Inventory back within limits (${e.ratio.toFixed(3)}); quoting both sides`,
        );
      case "error":
        return this.#error(e.message, `⚠️ Error (${e.consecutive} in a row): ${e.message}`);
      case "order_rejected":
        if (e.reason !== "insufficient_funds") return; // post-only crosses are routine: skip the tick
        return this.#error(`funds:${e.side}`, `⚠️ Insufficient funds: ${e.side} side skipped (${e.message})`);
      case "error_breaker":
        return this.#send(
          "errors",
          e.state === "tripped"
            ? `🛑 Error breaker: ${e.consecutive} failed tick(s) in a row; paused (kept across restarts), orders cancelled; /resume once the venue is healthy${
              e.detail ? `. Last error: ${e.detail}` : ""
            }`
            : `✅ The venue answers again after ${e.consecutive} failed ticks; the bot stays paused until /resume`,
        );
      case "kill_switch":
        return this.#send(
          "kill_switch",
          `🛑 Kill switch: equity ${e.equity.toFixed(2)} ${quote} is ${e.drawdownPct.toFixed(2)} % below its peak ${
            e.peakEquity.toFixed(2)
          } (limit ${cfg.risk.max_drawdown_pct} %). Orders cancelled; /resume to quote again`,
        );
      case "stale_book":
        return this.#send(
          "stale_book",
          e.state === "stale" ? `⏳ Stale order book, not quoting: ${e.detail}` : "✅ Order book fresh again",
        );
      case "stale_candles":
        return this.#send(
          "stale_candles",
          e.state === "stale" ? `⏳ Stale candles, not quoting: ${e.detail}` : "✅ Candles fresh again",
        );
      case "start":
        return this.#send(
          "lifecycle",
          `▶️ mmbot started: ${cfg.mode} ${cfg.market.symbol} (${cfg.strategy.profile})${
            e.cancelledLeftovers ? `; cancelled ${e.cancelledLeftovers} leftover order(s)` : ""
          }`,
        );
      case "stop": {
        this.flushFills();
        if (!e.resting.length && e.confirmed) {
          return this.#send("lifecycle", `⏹ mmbot stopped; cancelled ${e.cancelled} order(s)`);
        }
        const m = cfg.market;
        const list = e.resting.map((o) =>
          `${o.side} ${onLot(o.amount, m.lot_size)} @ ${onTick(o.price, m.tick_size)} (${o.clientOrderId})`
        );
        return this.#send(
          "errors",
          `🚨 mmbot stopped, but ${
            e.confirmed
              ? `${e.resting.length} order(s) of ours still rest`
              : "the venue could not confirm that nothing of ours rests"
          }; cancel them on the exchange:${list.length ? `\n${list.join("\n")}` : " (last known: none)"}`,
        );
      }
      case "paused":
        if (e.resting) {
          return this.#send(
            "errors",
            `⏸ Paused (${e.detail}); cancelled ${e.cancelled} order(s), ${e.resting} still resting: retried every tick`,
          );
        }
        return this.#send("lifecycle", `⏸ Paused; cancelled ${e.cancelled} order(s)`);
      case "orders_pulled":
        return this.#send("lifecycle", `✅ Nothing of ours rests any more (cancelled ${e.cancelled} more)`);
      case "ledger_failed":
        return this.#send("errors", `🛑 The ledger cannot record (${e.message}): not quoting, orders cancelled`);
      case "ledger_recovered":
        return this.#send("errors", "✅ The ledger records again; quoting resumes");
      case "resumed":
        return this.#send("lifecycle", `▶️ Resumed quoting`);
    }
  }

  /** Sends the fills waiting to be coalesced as one message. */
  flushFills(): void {
    if (this.#fillTimer) clearTimeout(this.#fillTimer);
    this.#fillTimer = null;
    const fills = this.#pendingFills;
    if (!fills.length) return;
    this.#pendingFills = [];
    const { symbol, tick_size, lot_size } = this.#opts.config().market;
    const [base, quote] = currencies(symbol);
    const line = ({ fill: f, ratio }: { fill: Fill; ratio: number }) =>
      `${f.side === "buy" ? "🟢 BUY" : "🔴 SELL"} ${onLot(f.amount, lot_size)} ${base} @ ${
        onTick(f.price, tick_size)
      } · fee ${f.feeQuote.toFixed(4)} ${quote} · inventory ${ratio.toFixed(3)}`;
    if (fills.length === 1) return this.#send("fills", `${line(fills[0])}\n${isoMinute(fills[0].fill.ts)} UTC`);
    const listed = fills.slice(0, FILLS_LISTED).map(line);
    if (fills.length > FILLS_LISTED) listed.push(`… and ${fills.length - FILLS_LISTED} more (/fills)`);
    this.#send("fills", `${fills.length} fills:\n${listed.join("\n")}`);
  }

  /** Deduplicated by `key`; rate-limited overall. Suppressed repeats are counted into the next alert. */
  #error(key: string, text: string): void {
    const now = this.#now();
    const windowMs = this.#opts.config().telegram.error_repeat_s * 1000;
    const seen = this.#errors.get(key);
    this.#errorTimes = this.#errorTimes.filter((t) => now - t < 60_000);
    if ((seen && now - seen.sentAt < windowMs) || this.#errorTimes.length >= ERRORS_PER_MINUTE) {
      if (seen) seen.suppressed++;
      else this.#errors.set(key, { sentAt: -Infinity, suppressed: 1 });
      return;
    }
    const repeats = seen?.suppressed ? ` (and ${seen.suppressed} more time(s) since the last alert)` : "";
    this.#errors.set(key, { sentAt: now, suppressed: 0 });
    if (this.#errors.size > 500) this.#errors.delete(this.#errors.keys().next().value!);
    this.#errorTimes.push(now);
    this.#send("errors", text + repeats);
  }

  /** Flushes pending fills and stops the coalescing timer. */
  close(): void {
    this.flushFills();
  }
}
