/**
 * Where `computeQuotes` writes a quote decision when its caller keeps one: the decision, its figures, level 0's two
 * quotes and every deeper level's, made once and rewritten each tick (the cycle's, through decide.ts: a quoting tick
 * then makes none of them). Still the whole decision as data, with the shape a fresh one has; it is good until the
 * next `computeQuotes` with the same record, so whoever keeps a decision past that copies it (the status does).
 */
import type { QuoteDecision, QuoteFigures } from "./quoting.ts";
import type { Quote, Side } from "./types.ts";

export type Quoted = Extract<QuoteDecision, { action: "quote" }>;

export class QuoteRecord {
  readonly figures: QuoteFigures = {
    mid: 0,
    natr: 0,
    bidSpreadBps: 0,
    askSpreadBps: 0,
    trend: 0,
    maxShift: 0,
    inventoryRatio: 0,
    inventoryDelta: 0,
    trendShift: 0,
    inventoryShift: 0,
    reference: 0,
    skewShift: 0,
    bandUsed: 0,
    as: null,
    bidDistanceBps: null,
    askDistanceBps: null,
  };
  readonly decision: Quoted = {
    action: "quote",
    bid: null,
    ask: null,
    bids: [],
    asks: [],
    skipped: {},
    inventoryLimit: null,
    figures: this.figures,
  };
  readonly #bid: Quote = { side: "buy", price: 0, amount: 0 };
  readonly #ask: Quote = { side: "sell", price: 0, amount: 0 };
  /** levels 1 and deeper of each side, index k − 1, grown as `strategy.levels` asks */
  readonly #deeper: Record<Side, Quote[]> = { buy: [], sell: [] };

  /** Level 0 of a side, its price and amount written. */
  quote(side: Side, price: number, amount: number): Quote {
    const q = side === "buy" ? this.#bid : this.#ask;
    q.price = price;
    q.amount = amount;
    return q;
  }

  /** Level k ≥ 1 of a side, its price and amount written. */
  level(side: Side, k: number, price: number, amount: number): Quote {
    const pool = this.#deeper[side];
    while (pool.length < k) pool.push({ side, price: 0, amount: 0, level: pool.length + 1 });
    const q = pool[k - 1];
    q.price = price;
    q.amount = amount;
    return q;
  }

  /** A side's list of every level, emptied to be written again (pop: a write of `length` takes V8's slow path). */
  levels(side: Side): Quote[] {
    const list = side === "buy" ? this.decision.bids : this.decision.asks;
    while (list.length) list.pop();
    return list;
  }
}

/**
 * A decision to keep: a quote decision written into a record is copied (its quotes, lists and figures; level 0 stays
 * the first of its list, as made), anything else is returned as it is (made fresh each time).
 */
export function keptDecision(d: QuoteDecision | null): QuoteDecision | null {
  if (d === null || d.action !== "quote") return d;
  const bids = d.bids.map(copyQuote), asks = d.asks.map(copyQuote);
  const bid = d.bid && (d.bid === d.bids[0] ? bids[0] : copyQuote(d.bid));
  const ask = d.ask && (d.ask === d.asks[0] ? asks[0] : copyQuote(d.ask));
  return { ...d, bid, ask, bids, asks, figures: { ...d.figures } };
}

const copyQuote = (q: Quote): Quote => ({ ...q });
