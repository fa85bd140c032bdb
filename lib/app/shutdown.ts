/**
 * The one shutdown path (DESIGN §12), whatever stopped the bot: a signal, a fatal error, the end of the
 * replay data. The engine cancels with retries for up to `risk.shutdown_timeout_s` and confirms with a
 * final open-orders query; the whole stop is bounded from the moment it was asked for, even when a
 * venue call in flight hangs, and then reports the last orders it knew of as unconfirmed.
 */
import type { Order } from "../core/types.ts";
import type { Engine } from "../engine/engine.ts";
import { within } from "../core/sleep.ts";
import type { PullResult } from "../engine/desk.ts";

/** Exit code when the bot stopped but orders of ours may still rest (listed on stderr and alerted). */
export const EXIT_ORDERS_LEFT = 3;

/** How long a venue call already in flight may still take past the cancel timeout. */
export const GRACE_MS = 15_000;

export interface Shutdown extends PullResult {
  /** true when the bound ran out before the engine could finish: the result is its last knowledge */
  timedOut: boolean;
}

/** Stops `engine`; the bound is `timeoutS` + GRACE_MS counted from `askedAtMs` (wall clock). */
export function shutdown(engine: Engine, timeoutS: number, askedAtMs: number, nowMs = Date.now()): Promise<Shutdown> {
  engine.halt(); // a tick still in flight places nothing more
  const left = askedAtMs + timeoutS * 1000 + GRACE_MS - nowMs;
  return within(
    left,
    engine.stop(timeoutS * 1000).then((r) => ({ ...r, timedOut: false })),
    () => ({
      cancelled: 0,
      resting: [...engine.status().openOrders],
      confirmed: false,
      error: `no answer from the exchange within ${timeoutS} s`,
      timedOut: true,
    }),
  );
}

/** What to tell the operator about orders that may still rest; null when nothing does. */
export function leftoverReport(
  left: { resting: readonly Order[]; confirmed: boolean; error: string | null },
): string | null {
  if (!left.resting.length && left.confirmed) return null;
  const what = left.confirmed
    ? `${left.resting.length} order(s) of ours still rest on the exchange`
    : `the exchange could not confirm that nothing of ours rests (${left.error})`;
  const list = left.resting.map((o) => `\n  ${o.side} ${o.amount} @ ${o.price} ${o.clientOrderId}`).join("");
  return `${what}; cancel them by hand:${list || " (none known)"}`;
}
