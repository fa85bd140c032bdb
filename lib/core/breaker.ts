/**
 * The error breaker, a pure state machine beside the risk gate: a tick whose venue calls fail never
 * reaches the gate, so failures are counted here. From `max` failed ticks in a row the breaker is
 * open (no quoting, orders cancelled); a refused API key opens it at once, since retrying cannot help.
 * The first tick that succeeds closes it.
 */
import type { RiskLimits } from "./params.ts";

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

/** What a failed tick leads to: the breaker after it, a pause by the error breaker (its detail) or a pull. */
export interface FailureOutcome {
  breaker: Breaker;
  tripped: boolean;
  /** the error breaker trips now and nothing paused the bot yet: pause with this detail */
  pause: string | null;
  /** not pausing: stand aside and make sure nothing of ours rests (the venue may be what fails: tried anyway) */
  pull: boolean;
}

/**
 * A tick failed with `message` (`final`: a refused key): trip the breaker into a pause, or pull our quotes while
 * paused, while the breaker is open, or after any failure with `pullOnError`.
 */
export function afterFailure(
  b: Breaker,
  message: string,
  risk: Pick<RiskLimits, "max_consecutive_errors" | "pull_quotes_on_error">,
  final: boolean,
  paused: boolean,
): FailureOutcome {
  const max = risk.max_consecutive_errors;
  const { breaker, tripped } = tickFailed(b, message, max, final);
  const pause = tripped && !paused ? `${breaker.failures} failed ticks in a row; last: ${message}` : null;
  return {
    breaker,
    tripped,
    pause,
    pull: pause === null && (paused || isOpen(breaker, max) || risk.pull_quotes_on_error),
  };
}
