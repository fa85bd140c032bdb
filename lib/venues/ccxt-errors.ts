/**
 * How ccxt errors are read: Binance's numeric codes (whose ccxt class depends on the URL, see
 * EXCHANGE-NOTES) and the retry policy for transient failures.
 */

/** Binance codes whose ccxt class depends on the URL (see EXCHANGE-NOTES): post-only crosses, funds, filters. */
export const POST_ONLY_CODES = new Set([-5022, -2010]);
export const FUNDS_CODES = new Set([-2019, -4164]);

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
