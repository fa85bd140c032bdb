/**
 * Building the ccxt exchange object from the config: ccxt loaded on demand, keys, testnet / demo
 * trading, ccxt's rate limiter, and every REST URL sent to \`market.rest_url\` when set.
 */
import process from "node:process";
import type { Exchange } from "ccxt";
import type { Config } from "../config/schema.ts";
import type { Secrets } from "../config/secrets.ts";
import { ConfigError } from "../config/validate.ts";

export type Ccxt = typeof import("ccxt");

/** ccxt loads every exchange at import (~120 MB): only modes that talk to an exchange pay for it. */
export async function loadCcxt(): Promise<Ccxt> {
  // ccxt's websocket library (ws) would load bufferutil's native build, which Deno, on a terminal, stops to ask
  // ffi permission for (elsewhere it is refused silently); ws does without it (README → A quiet console)
  process.env.WS_NO_BUFFER_UTIL ??= "1";
  return await import("ccxt");
}

export interface VenueOptions {
  /** live trading: keys, and the testnet when `market.sandbox` */
  trading: boolean;
  secrets?: Pick<Secrets, "exchangeApiKey" | "exchangeApiSecret">;
}

/** The ccxt exchange object for the config: keys, sandbox / demo trading, rate limiter, REST base URL. */
export async function createVenue(config: Config, opts: VenueOptions): Promise<{ venue: Exchange; endpoint: string }> {
  const ccxt = await loadCcxt();
  const id = config.market.exchange;
  const classes = ccxt as unknown as Record<string, new (c: object) => Exchange>;
  if (!Object.hasOwn(ccxt.exchanges, id) || typeof classes[id] !== "function") {
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
  const venue = new classes[id]({
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
