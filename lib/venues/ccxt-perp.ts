/**
 * USDT-M perpetuals through ccxt (DESIGN §13): margin mode and leverage set at start, the venue's funding payments
 * (live) and its funding rates (paper on live data). Used by CcxtExchange, which lends its retrying call.
 */
import type { Exchange } from "ccxt";
import type { FundingPayment } from "../core/funding.ts";
import type { MarginMode } from "../core/margin.ts";
import { ConfigError } from "../config/validate.ts";
import type { CcxtErrors } from "./ccxt-venue.ts";

export interface PerpContext {
  venue: Exchange;
  errors: CcxtErrors;
  symbol: string;
  /** the adapter's retrying call */
  call<T>(what: string, fn: () => Promise<T>): Promise<T>;
  /** throws KeyRefused when the error is a refused key */
  denied(what: string, e: unknown): void;
}

/**
 * Sets the margin mode, then the leverage. A refusal is a ConfigError naming the key, so the bot does not start
 * on an account set up otherwise than configured. Returns a line for the user.
 */
export async function configurePerp(c: PerpContext, leverage: number, marginMode: MarginMode): Promise<string> {
  const refused = (key: string, what: string, e: unknown) => {
    c.denied(key, e);
    return new ConfigError([
      `${key}: ${c.venue.id} refused ${what} for ${c.symbol} (${
        (e as Error).message
      }); change it on the exchange or in the config (the margin mode cannot change while a position or orders are open)`,
    ]);
  };
  try {
    await c.call("setMarginMode", () => c.venue.setMarginMode(marginMode, c.symbol));
  } catch (e) {
    // Binance answers -4046 "No need to change margin type." when it is already set
    const already = e instanceof c.errors.MarginModeAlreadySet || /no need to change margin type/i.test(String(e));
    if (!already) throw refused("market.margin_mode", marginMode, e);
  }
  try {
    await c.call("setLeverage", () => c.venue.setLeverage(leverage, c.symbol));
  } catch (e) {
    throw refused("market.leverage", `${leverage}x`, e);
  }
  return `${c.symbol}: ${marginMode} margin, leverage ${leverage}x set on ${c.venue.id}`;
}

/** The venue's funding payments after `afterTs` (its income history), oldest first. */
export async function fundingPayments(c: PerpContext, afterTs: number | null): Promise<FundingPayment[]> {
  const since = afterTs === null ? undefined : afterTs + 1;
  const rows = await c.call("fetchFundingHistory", () => c.venue.fetchFundingHistory(c.symbol, since, 1000));
  return rows
    .filter((r) => r.symbol === c.symbol && Number.isFinite(Number(r.amount)))
    .map((r) => ({
      id: `income-${r.id}`,
      ts: Number(r.timestamp),
      amountQuote: Number(r.amount),
      rate: null,
      price: null,
      positionBase: null,
    }))
    .sort((a, b) => a.ts - b.ts);
}

/** The venue's funding rate at funding time `ts`, null when it has none for that time. */
export async function fundingRateAt(c: PerpContext, ts: number): Promise<number | null> {
  const rows = await c.call(
    "fetchFundingRateHistory",
    () => c.venue.fetchFundingRateHistory(c.symbol, ts - 60_000, 10),
  );
  // Binance's funding time can be a few ms past the hour
  const r = rows.find((x) => Math.abs(Number(x.timestamp) - ts) < 60_000);
  return r && Number.isFinite(Number(r.fundingRate)) ? Number(r.fundingRate) : null;
}
