/**
 * Building the ccxt exchange object from the config: its one exchange class loaded on demand, keys, testnet / demo
 * trading, ccxt's rate limiter, and every REST URL sent to \`market.rest_url\` when set.
 */
import process from "node:process";
import type { Exchange } from "ccxt";
import type { Config } from "../config/schema.ts";
import type { Secrets } from "../config/secrets.ts";
import { ConfigError } from "../config/validate.ts";

/**
 * ccxt's error classes: the module that ccxt's own index and every exchange class import, so `instanceof` holds
 * for whatever an exchange throws.
 */
export type CcxtErrors = (typeof import("ccxt"))["errors"];

/**
 * ccxt's index imports every exchange (~120 MB on Deno, ~80 MB on Bun): we import only the exchange class in use,
 * from the same package files the index would load (`js/src/<id>.js`, one per exchange id).
 */
const CCXT_SRC = new URL("./src/", import.meta.resolve("ccxt"));

/** One of ccxt's own files (`src/…`), loaded as its index would load it. */
async function importCcxtFile(path: string): Promise<Record<string, unknown>> {
  // ccxt's websocket library (ws, loaded with any exchange class) would load bufferutil's native build, which Deno,
  // on a terminal, stops to ask ffi permission for (elsewhere it is refused silently); ws does without it
  // (README → A quiet console)
  process.env.WS_NO_BUFFER_UTIL ??= "1";
  return await import(new URL(path, CCXT_SRC).href);
}

export async function loadCcxtErrors(): Promise<CcxtErrors> {
  return await importCcxtFile("base/errors.js") as unknown as CcxtErrors;
}

type ExchangeClass = new (c: object) => Exchange;

/** The class of exchange `id`, or null when ccxt has none by that name. */
async function loadExchangeClass(id: string): Promise<ExchangeClass | null> {
  if (!/^[a-z][a-z0-9]*$/.test(id)) return null;
  const mod = await importCcxtFile(`${id}.js`).catch(() => null);
  return typeof mod?.default === "function" ? mod.default as ExchangeClass : null;
}

export interface VenueOptions {
  /** live trading: keys, and the testnet when `market.sandbox` */
  trading: boolean;
  secrets?: Pick<Secrets, "exchangeApiKey" | "exchangeApiSecret">;
}

/** The ccxt exchange object for the config: keys, sandbox / demo trading, rate limiter, REST base URL. */
export async function createVenue(config: Config, opts: VenueOptions): Promise<{ venue: Exchange; endpoint: string }> {
  const id = config.market.exchange;
  const ExchangeClass = await loadExchangeClass(id);
  if (!ExchangeClass) {
    throw new ConfigError([
      `market.exchange: ${
        JSON.stringify(id)
      } is not a ccxt exchange id; e.g. binance (spot) or binanceusdm (USDT-M perpetuals)`,
    ]);
  }
  const perp = config.market.type === "perp";
  const options: Record<string, unknown> = id === "binance"
    // only the markets we trade: one exchangeInfo call instead of spot + futures + margin + currencies
    ? { fetchMarkets: { types: [perp ? "linear" : "spot"] }, fetchCurrencies: false, fetchMargins: false }
    : id === "binanceusdm"
    ? { fetchCurrencies: false }
    : {};
  if (perp) options.defaultType = "swap";
  const venue = new ExchangeClass({
    apiKey: opts.trading ? opts.secrets?.exchangeApiKey : undefined,
    secret: opts.trading ? opts.secrets?.exchangeApiSecret : undefined,
    enableRateLimit: true, // ccxt's own rate limiter, per exchange
    timeout: 10_000,
    options,
  });
  venue.enableLastResponseHeaders = true; // Retry-After of a 429
  if (opts.trading && config.market.sandbox) {
    const v = venue as Exchange & { enableDemoTrading?: (on: boolean) => void };
    const urls = venue.urls as Record<string, unknown>;
    if (id === "binanceusdm" && v.enableDemoTrading) {
      // ccxt refuses private calls on the futures testnet and asks for Binance's demo trading instead
      v.enableDemoTrading(true);
    } else if (urls.test) {
      venue.setSandboxMode(true);
    } else {
      throw new ConfigError([
        `market.sandbox: true is not possible with ${id}: ccxt knows no testnet for it; use market.sandbox=false to trade for real (small amounts first), or an exchange with a testnet such as binance or binanceusdm`,
      ]);
    }
  }
  if (config.market.rest_url) rewriteUrls(venue.urls as Record<string, unknown>, config.market.rest_url);
  const api = venue.urls.api as unknown as Record<string, string>;
  const endpoint = new URL(String(api[perp ? "fapiPublic" : "public"] ?? Object.values(api)[0])).origin;
  return { venue, endpoint };
}

/** Every REST URL of the exchange → the same path under `base` (mirror, gateway, local simulator). */
function rewriteUrls(urls: Record<string, unknown>, base: string): void {
  const root = base.replace(/\/+$/, "");
  const walk = (node: Record<string, unknown>) => {
    for (const [k, v] of Object.entries(node)) {
      if (typeof v === "string" && /^https?:\/\//.test(v)) node[k] = v.replace(/^https?:\/\/[^/]+/, root);
      else if (v && typeof v === "object") walk(v as Record<string, unknown>);
    }
  };
  walk(urls.api as Record<string, unknown>);
}
