/**
 * The last day of this run in memory, the one quote history: our quotes, equity and inventory at every tick,
 * and the engine's closed 1m candles, for /chart, the daily report and the dashboard (lib/http/history.ts).
 * Bounded by time (24 h of the market's clock, a few thousand points), so memory stays flat however long
 * the bot runs.
 */
import { maxDrawdownPct } from "../core/drawdown.ts";
import type { Candle } from "../core/types.ts";
import type { Engine } from "../engine/engine.ts";

/** How far back /chart can look, hours. */
export const MAX_HOURS = 24;
const KEEP_MS = MAX_HOURS * 3_600_000;

export interface TickPoint {
  ts: number;
  mid: number | null;
  bid: number | null;
  ask: number | null;
  equity: number | null;
  inventoryRatio: number | null;
}

/**
 * The ticks as columns in a ring of Float64Arrays (NaN for null): a tick costs no object. As objects, each of the
 * day's ~5,760 points lived 24 h of the market's clock, long enough to reach V8's old generation and die there
 * (at speed 600, 40 a second): the soak's profile found them the largest share of what the old generation collects.
 * Objects are made only when a chart asks. Grows (doubling) when ticks come faster than it has room for in 24 h.
 */
class TickRing {
  static readonly FIELDS = 6;
  #cols = new Float64Array(TickRing.FIELDS * 4096);
  #capacity = 4096;
  #start = 0;
  length = 0;

  push(ts: number, mid: number, bid: number, ask: number, equity: number, inventoryRatio: number): void {
    if (this.length === this.#capacity) this.#grow();
    const i = ((this.#start + this.length) % this.#capacity) * TickRing.FIELDS, c = this.#cols;
    c[i] = ts, c[i + 1] = mid, c[i + 2] = bid, c[i + 3] = ask, c[i + 4] = equity, c[i + 5] = inventoryRatio;
    this.length++;
  }

  /** Drops ticks older than `ts` (oldest first). */
  dropBefore(ts: number): void {
    while (this.length && this.#cols[this.#start * TickRing.FIELDS] < ts) {
      this.#start = (this.#start + 1) % this.#capacity;
      this.length--;
    }
  }

  /** The k-th oldest tick as an object. */
  at(k: number): TickPoint {
    const i = ((this.#start + k) % this.#capacity) * TickRing.FIELDS, c = this.#cols;
    const v = (x: number) => (Number.isNaN(x) ? null : x);
    return {
      ts: c[i],
      mid: v(c[i + 1]),
      bid: v(c[i + 2]),
      ask: v(c[i + 3]),
      equity: v(c[i + 4]),
      inventoryRatio: v(c[i + 5]),
    };
  }

  #grow(): void {
    const cols = new Float64Array(this.#cols.length * 2);
    for (let k = 0; k < this.length; k++) {
      const from = ((this.#start + k) % this.#capacity) * TickRing.FIELDS;
      cols.set(this.#cols.subarray(from, from + TickRing.FIELDS), k * TickRing.FIELDS);
    }
    this.#cols = cols;
    this.#capacity *= 2;
    this.#start = 0;
  }
}

export class RecentMarket {
  readonly #ticks = new TickRing();
  readonly #candles = new Map<number, Candle>();
  #lastCandleTs = -Infinity;

  constructor(readonly engine: Engine) {
    engine.on((e) => {
      if (e.type === "tick") this.record();
    });
  }

  /** Takes the engine's state after a tick. */
  record(): void {
    const s = this.engine.tickStatus();
    const d = s.decision?.action === "quote" && s.state === "quoting" ? s.decision : null;
    this.#ticks.push(
      s.ts,
      s.mid ?? NaN,
      d?.bid?.price ?? NaN,
      d?.ask?.price ?? NaN,
      s.pnl?.equity ?? NaN,
      s.inventoryRatio ?? NaN,
    );
    // only the candles closed since the last tick, newest backwards: re-setting all 240 each tick boxed every key
    // afresh (a candle's ts is a double field), ~4 KB of garbage a tick at speed 600
    const recent = this.engine.recentCandles();
    let k = recent.length;
    while (k > 0 && recent[k - 1].ts > this.#lastCandleTs) k--;
    for (; k < recent.length; k++) this.#candles.set(recent[k].ts, recent[k]);
    if (recent.length) this.#lastCandleTs = Math.max(this.#lastCandleTs, recent[recent.length - 1].ts);
    const horizon = s.ts - KEEP_MS;
    this.#ticks.dropBefore(horizon);
    for (const ts of this.#candles.keys()) {
      if (ts >= horizon) break; // inserted in time order
      this.#candles.delete(ts);
    }
  }

  /** The ticks kept with time at or after `fromTs`, at most the last `max`, oldest first (objects made now). */
  ticks(fromTs = -Infinity, max = Infinity): TickPoint[] {
    const out: TickPoint[] = [];
    for (let k = Math.max(0, this.#ticks.length - max); k < this.#ticks.length; k++) {
      const t = this.#ticks.at(k);
      if (t.ts >= fromTs) out.push(t);
    }
    return out;
  }

  /** Candles with open time in [fromTs, toTs), oldest first. */
  candles(fromTs: number, toTs: number): Candle[] {
    return [...this.#candles.values()].filter((c) => c.ts >= fromTs && c.ts < toTs).sort((a, b) => a.ts - b.ts);
  }

  /** Largest fall of equity from a running peak within [fromTs, toTs], percent (0 when none). */
  maxDrawdownPct(fromTs: number, toTs: number): number {
    return maxDrawdownPct(
      this.ticks(fromTs).flatMap((t) => (t.ts > toTs || t.equity === null ? [] : [t.equity])),
    );
  }
}
