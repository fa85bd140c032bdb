/**
 * The error breaker, a pure state machine beside the risk gate: a tick whose venue calls fail never
 * reaches the gate, so failures are counted here. From `max` failed ticks in a row the breaker is
 * open (no quoting, orders cancelled); a refused API key opens it at once, since retrying cannot help.
 * The first tick that succeeds closes it.
 */

export interface Breaker {
  /** failed ticks in a row */
  failures: number;
  /** the last failure's message (kept after recovery, for status screens) */
  lastError: string | null;
}

export const closedBreaker = (): Breaker => ({ failures: 0, lastError: null });

export const isOpen = (b: Breaker, max: number) => b.failures >= max;

/** A tick failed with `message`; `final` (a refused key) opens the breaker at once. */
export function tickFailed(
  b: Breaker,
  message: string,
  max: number,
  final = false,
): { breaker: Breaker; tripped: boolean } {
  const failures = final ? Math.max(b.failures + 1, max) : b.failures + 1;
  const breaker = { failures, lastError: message };
  return { breaker, tripped: !isOpen(b, max) && isOpen(breaker, max) };
}

/** A tick's venue calls all answered; `recovered` when that closes an open breaker. */
export function tickSucceeded(b: Breaker, max: number): { breaker: Breaker; recovered: boolean } {
  return { breaker: { failures: 0, lastError: b.lastError }, recovered: isOpen(b, max) };
}
