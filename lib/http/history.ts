/** Recent quotes and fills for the dashboard chart: the quotes from the one quote history (lib/lab/recent.ts). */
import type { Engine } from "../engine/engine.ts";
import type { Fill } from "../core/types.ts";
import { RecentMarket } from "../lab/recent.ts";

export interface QuotePoint {
  ts: number;
  mid: number | null;
  bid: number | null;
  ask: number | null;
}

export class History {
  readonly fills: Fill[] = [];

  constructor(engine: Engine, readonly max = 1000, readonly recent: RecentMarket = new RecentMarket(engine)) {
    engine.on((e) => {
      if (e.type === "fill") {
        this.fills.push(e.fill);
        if (this.fills.length > this.max) this.fills.shift();
      }
    });
  }

  /** Our quotes at the last `max` ticks, oldest first. */
  get quotes(): QuotePoint[] {
    return this.recent.ticks(-Infinity, this.max).map(({ ts, mid, bid, ask }) => ({ ts, mid, bid, ask }));
  }
}
