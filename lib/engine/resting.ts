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
  /** the level of each order of ours placed deeper than level 0 (the venue's listing does not carry it): client ids
   * and levels side by side, a few entries scanned — a Map keyed by a fresh id string a placement cost a fifth of a
   * quoting backtest at three levels */
  readonly #levelIds: string[] = [];
  readonly #levels: number[] = [];

  /** our orders at the venue as last listed, kept or placed (while standing aside: those still resting) */
  get open(): readonly Order[] {
    return this.#open;
  }

  /** The same, each with the level it was placed for (for the screens: a copy only when some level is deeper than 0). */
  get openWithLevels(): readonly Order[] {
    if (!this.#levels.length) return this.#open;
    return this.#open.map((o) => {
      const level = this.#levelOf(o.clientOrderId);
      return level === undefined || o.level === level ? o : { ...o, level };
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
    this.#open = kept;
    if (this.#stuck.length) this.#stuck = [];
    this.#confirmed = true;
    this.#forgetLevels(kept);
  }

  /** An order placed for `level` (the venue's order: it does not carry the level). */
  placed(order: Order, level: number): void {
    this.#open.push(order);
    if (level) this.#levelIds.push(order.clientOrderId), this.#levels.push(level);
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
    this.#open = p.resting;
    this.#forgetLevels(p.resting);
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

  /** Levels of orders no longer resting are forgotten (a few entries: at most `levels` a side were placed). */
  #forgetLevels(resting: readonly Order[]): void {
    const ids = this.#levelIds, levels = this.#levels;
    let kept = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (!isListed(resting, id)) continue;
      ids[kept] = id;
      levels[kept++] = levels[i];
    }
    while (ids.length > kept) ids.pop(), levels.pop(); // not a write of `length`: V8's slow path
  }

  /** The level an order was placed for, if deeper than 0. */
  #levelOf(clientOrderId: string): number | undefined {
    const ids = this.#levelIds;
    for (let i = ids.length - 1; i >= 0; i--) if (ids[i] === clientOrderId) return this.#levels[i];
    return undefined;
  }
}

function isListed(orders: readonly Order[], clientOrderId: string): boolean {
  for (let i = 0; i < orders.length; i++) if (orders[i].clientOrderId === clientOrderId) return true;
  return false;
}
