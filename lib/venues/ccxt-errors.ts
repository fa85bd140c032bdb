/**
 * How ccxt errors are read: Binance's numeric codes (whose ccxt class depends on the URL, see
 * EXCHANGE-NOTES), a refused key, and the retry policy for transient failures.
 */
import type { Exchange } from "ccxt";
import type { Ccxt } from "./ccxt-venue.ts";

/** Binance codes whose ccxt class depends on the URL (see EXCHANGE-NOTES): post-only crosses, funds, filters. */
export const POST_ONLY_CODES = new Set([-5022, -2010]);
export const FUNDS_CODES = new Set([-2019]);
/** Binance futures: "Order's notional must be no smaller than …" (under a rewritten URL ccxt says ExchangeError) */
export const NOTIONAL_CODES = new Set([-4164]);

export const codeOf = (e: unknown): number | null => {
  const m = String((e as Error)?.message ?? "").match(/"code"\s*:\s*(-?\d+)/);
  return m ? Number(m[1]) : null;
};

export interface RetryPolicy {
  attempts: number;
  baseMs: number;
  capMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseMs: 500, capMs: 10_000 };

/** A refused key or permission (ccxt's class, or Binance's code where the URL was rewritten): final. */
export function isKeyRefusal(ccxt: Ccxt, e: unknown): boolean {
  return e instanceof ccxt.AuthenticationError || codeOf(e) === -2015 || codeOf(e) === -2014;
}

/**
 * How long to wait before retrying a call that failed on `attempt` (1-based), or null when it must
 * not be retried: only network errors, timeouts, 5xx and rate limits are, with capped exponential
 * backoff, or the venue's Retry-After (seconds) for a rate limit.
 */
export function retryDelayMs(
  ccxt: Ccxt,
  e: unknown,
  attempt: number,
  policy: RetryPolicy,
  retryAfterS: number,
): number | null {
  const transient = e instanceof ccxt.NetworkError || e instanceof ccxt.OperationFailed ||
    e instanceof ccxt.ExchangeNotAvailable;
  if (!transient || attempt >= policy.attempts) return null;
  const rateLimited = e instanceof ccxt.DDoSProtection || e instanceof ccxt.RateLimitExceeded;
  if (rateLimited && retryAfterS > 0) return Math.min(policy.capMs, retryAfterS * 1000);
  return Math.min(policy.capMs, policy.baseMs * 2 ** (attempt - 1));
}

/**
 * Runs `fn`, retrying what `retryDelayMs` allows (the venue's Retry-After read from ccxt's last response headers);
 * `check` sees every failure first and may throw a final one instead (a refused key).
 */
export async function withRetries<T>(
  ccxt: Ccxt,
  venue: Exchange,
  policy: RetryPolicy,
  sleep: (ms: number) => Promise<void>,
  fn: () => Promise<T>,
  check: (e: unknown) => void = () => {},
): Promise<T> {
  for (let attempt = 1;; attempt++) {
    try {
      return await fn();
    } catch (e) {
      check(e);
      const headers = venue.last_response_headers as Record<string, string> | undefined;
      const wait = retryDelayMs(ccxt, e, attempt, policy, Number(headers?.["Retry-After"]));
      if (wait === null) throw e;
      await sleep(wait);
    }
  }
}
