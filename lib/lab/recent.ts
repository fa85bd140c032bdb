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

export class RecentMarket {
  readonly ticks: TickPoint[] = [];
  readonly #candles = new Map<number, Candle>();

  constructor(readonly engine: Engine) {
    engine.on((e) => {
      if (e.type === "tick") this.record();
    });
  }

  /** Takes the engine's state after a tick. */
  record(): void {
    const s = this.engine.status();
    const d = s.decision?.action === "quote" && s.state === "quoting" ? s.decision : null;
    this.ticks.push({
      ts: s.ts,
      mid: s.mid,
      bid: d?.bid?.price ?? null,
      ask: d?.ask?.price ?? null,
      equity: s.pnl?.equity ?? null,
      inventoryRatio: s.inventoryRatio,
    });
    for (const c of this.engine.recentCandles()) this.#candles.set(c.ts, c);
    const horizon = s.ts - KEEP_MS;
    while (this.ticks.length && this.ticks[0].ts < horizon) this.ticks.shift();
    for (const ts of this.#candles.keys()) {
      if (ts >= horizon) break; // inserted in time order
      this.#candles.delete(ts);
    }
  }

  /** Candles with open time in [fromTs, toTs), oldest first. */
  candles(fromTs: number, toTs: number): Candle[] {
    return [...this.#candles.values()].filter((c) => c.ts >= fromTs && c.ts < toTs).sort((a, b) => a.ts - b.ts);
  }

  /** Largest fall of equity from a running peak within [fromTs, toTs], percent (0 when none). */
  maxDrawdownPct(fromTs: number, toTs: number): number {
    return maxDrawdownPct(
      this.ticks.flatMap((t) => (t.ts < fromTs || t.ts > toTs || t.equity === null ? [] : [t.equity])),
    );
  }
}
