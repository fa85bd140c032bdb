/** Recent quotes and fills kept in memory for the dashboard chart. */
import type { Engine } from "../engine/engine.ts";
import type { Fill } from "../core/types.ts";

export interface QuotePoint {
  ts: number;
  mid: number | null;
  bid: number | null;
  ask: number | null;
}

export class History {
  readonly quotes: QuotePoint[] = [];
  readonly fills: Fill[] = [];

  constructor(engine: Engine, readonly max = 1000) {
    engine.on((e) => {
      if (e.type === "tick") {
        const s = engine.status();
        const d = s.decision?.action === "quote" && s.state === "quoting" ? s.decision : null;
        this.#push(this.quotes, { ts: e.ts, mid: s.mid, bid: d?.bid?.price ?? null, ask: d?.ask?.price ?? null });
      } else if (e.type === "fill") this.#push(this.fills, e.fill);
    });
  }

  #push<T>(list: T[], item: T): void {
    list.push(item);
    if (list.length > this.max) list.shift();
  }
}
