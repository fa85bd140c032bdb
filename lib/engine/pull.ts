/**
 * Pulling our quotes: list what of ours rests at the venue, cancel each, and report what is left.
 * One order's failed cancel does not stop the others; what is left is retried on the next attempt.
 */
import { messageOf } from "../core/format.ts";
import type { Order } from "../core/types.ts";
import type { ExchangePort } from "../venues/port.ts";
import { wait, type Work } from "./drive.ts";

export interface PullResult {
  cancelled: number;
  /** orders of ours still resting (those whose cancel failed; when listing failed, the last known) */
  resting: Order[];
  /** true when the venue answered the listing: `resting` is what it said, not a guess */
  confirmed: boolean;
  /** the last failure, null when everything answered */
  error: string | null;
}

export function* pullQuotes(
  venue: ExchangePort,
  prefix: string,
  lastKnown: readonly Order[],
  cancel: (o: Order) => Work<void>,
): Work<PullResult> {
  let open: Order[];
  try {
    open = yield* wait(venue.openOrders(prefix));
  } catch (e) {
    return { cancelled: 0, resting: [...lastKnown], confirmed: false, error: messageOf(e) };
  }
  const resting: Order[] = [];
  let cancelled = 0, error: string | null = null;
  for (const o of open) {
    try {
      yield* cancel(o);
      cancelled++;
    } catch (e) {
      resting.push(o);
      error = messageOf(e);
    }
  }
  return { cancelled, resting, confirmed: true, error };
}
