/**
 * What of ours rests at the venue, as far as the engine knows — the one owner of that knowledge: what was last
 * listed, kept or placed; what a failed cancel left resting; whether the venue's listing can be trusted; and when a
 * placement last got no answer. From it: whether the venue must be asked at all this tick, and the "pausing" state
 * shown while orders of ours may still rest.
 */
import type { Order } from "../core/types.ts";
import type { Pulled, PullResult } from "./desk.ts";

/**
 * How long a placement that got no answer may still reach the venue: its request is valid for the venue's receive
 * window (Binance: 5 s by default) plus ccxt's retries; after this, the listing is trusted again while standing aside.
 */
const UNANSWERED_MS = 120_000;

export class RestingOrders {
  #open: Order[] = [];
  #stuck: Order[] = [];
  /** false until the venue has answered a listing: the first tick after the start asks (an order of an earlier run
   * may land after the start-up reconcile), and so does every tick after a listing that failed */
  #confirmed = false;
  #error: string | null = null;
  #unansweredTs = -Infinity;
  /** levels[i]: the level #open[i] was placed for (the venue's listing does not carry it), beside it; rebuilt into
   * the spare when #open is replaced, matching the orders by identity (the paper exchange lists the very orders it
   * handed out) before client ids (a live venue lists fresh objects): no string compared, nothing allocated a tick */
  #levels: number[] = [];
  #spare: number[] = [];
  /** how many of #levels are deeper than 0: none (one level a side), and there is nothing to match */
  #deeper = 0;

  /** our orders at the venue as last listed, kept or placed (while standing aside: those still resting) */
  get open(): readonly Order[] {
    return this.#open;
  }

  /** The same, each with the level it was placed for (for the screens: a copy only when some level is deeper than 0). */
  get openWithLevels(): readonly Order[] {
    if (!this.#deeper) return this.#open;
    return this.#open.map((o, i) => {
      const level = this.#levels[i];
      return !level || o.level === level ? o : { ...o, level };
    });
  }

  /** orders whose cancel failed while standing aside: retried every tick */
  get stuck(): readonly Order[] {
    return this.#stuck;
  }

  /** false when the venue could not even list our orders the last time we asked */
  get confirmed(): boolean {
    return this.#confirmed;
  }

  /** What we know of ours at the venue: what failed to cancel, else what was last listed, kept or placed. */
  get lastKnown(): readonly Order[] {
    return this.#stuck.length ? this.#stuck : this.#open;
  }

  /** Whether an order of ours may rest at the venue: anything listed, kept, placed or unanswered of late. */
  mayRest(nowMs: number): boolean {
    return this.#open.length > 0 || this.#stuck.length > 0 || this.unsure(nowMs);
  }

  /** The venue's word on what rests is not final: a listing failed, or a placement without an answer may land. */
  unsure(nowMs: number): boolean {
    return !this.#confirmed || nowMs - this.#unansweredTs <= UNANSWERED_MS;
  }

  /** Quoting: the venue listed what rests, the plan kept `kept` (placements are added as they are answered). */
  quoting(kept: Order[]): void {
    this.#replaceOpen(kept);
    if (this.#stuck.length) this.#stuck = [];
    this.#confirmed = true;
  }

  /** An order placed for `level` (the venue's order: it does not carry the level). */
  placed(order: Order, level: number): void {
    this.#open.push(order);
    this.#levels.push(level);
    if (level) this.#deeper++;
  }

  /** A placement without an answer: it counts as ours until the venue says otherwise. */
  unanswered(order: Order, nowMs: number): void {
    this.placed(order, order.level ?? 0);
    this.#unansweredTs = nowMs;
  }

  /**
   * After a pull, a stand-aside's cancels or the stop's final query: what still rests. Returns the pull as its
   * caller reads it (the error scrubbed: it reaches status screens, the /pause reply and alerts), and `allGone`
   * when this pull cleared what earlier ones had left resting.
   */
  pulled(p: Pulled, scrub: (text: string) => string): PullResult & { allGone: boolean } {
    const allGone = this.#stuck.length > 0 && !p.resting.length && p.confirmed;
    const error = p.error === null ? null : scrub(p.error);
    this.#stuck = p.resting;
    this.#replaceOpen(p.resting);
    this.#confirmed = p.confirmed;
    this.#error = error;
    return { cancelled: p.cancelled.length, resting: p.resting, confirmed: p.confirmed, error, allGone };
  }

  /** While not quoting: why the state is "pausing" (orders of ours may still rest), or null when nothing does. */
  pausing(detail: string): string | null {
    const left = this.#stuck.length;
    if (!left && this.#confirmed) return null;
    const what = left ? `${left} order(s) still resting` : "cannot tell what rests";
    return `pausing: ${what}, last error ${this.#error}; ${detail}`;
  }

  /** What rests now is `orders`: each keeps the level it was placed for, those gone are forgotten. */
  #replaceOpen(orders: Order[]): void {
    const old = this.#open, levels = this.#levels, next = this.#spare;
    while (next.length) next.pop(); // not a write of `length`: V8's slow path
    let deeper = 0;
    for (let j = 0; j < orders.length; j++) {
      const level = this.#deeper ? levelIn(old, levels, orders[j]) : 0;
      next.push(level);
      if (level) deeper++;
    }
    this.#open = orders;
    this.#levels = next, this.#spare = levels, this.#deeper = deeper;
  }
}

/** The level `o` was placed for, from the orders and levels known before (0: not among them). */
function levelIn(orders: readonly Order[], levels: readonly number[], o: Order): number {
  for (let i = 0; i < orders.length; i++) if (orders[i] === o) return levels[i];
  const id = o.clientOrderId;
  for (let i = 0; i < orders.length; i++) if (orders[i].clientOrderId === id) return levels[i];
  return 0;
}
