/**
 * Prices and amounts through ccxt's own precision handling: the tick and lot of a market in either of ccxt's
 * fixed-step precision modes (TICK_SIZE, DECIMAL_PLACES), a clear refusal for significant digits, and prices
 * formatted by ccxt's priceToPrecision that keep a bid from rounding up and an ask from rounding down.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { CcxtExchange } from "../../lib/venues/ccxt.ts";
import { directedPrice, PRECISION_MODES, stepOf } from "../../lib/venues/ccxt-convert.ts";
import { createVenue, loadCcxt } from "../../lib/venues/ccxt-venue.ts";
import { ConfigError } from "../../lib/config/validate.ts";
import { FakeBinance, KEYS } from "../fakes/binance.ts";
import { config } from "../fixtures.ts";

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function spotExchange() {
  const fake = new FakeBinance("spot").start();
  cleanups.push(() => fake.stop());
  const cfg = config("mode=live", "feed.source=live", `market.rest_url=${fake.url}`);
  const { venue } = await createVenue(cfg, { trading: true, secrets: KEYS });
  venue.enableRateLimit = false;
  const exchange = new CcxtExchange(venue, await loadCcxt(), cfg);
  await venue.loadMarkets();
  return { fake, exchange, venue };
}

describe("steps from ccxt's precision modes", () => {
  test("TICK_SIZE gives the step; DECIMAL_PLACES 10^−n; SIGNIFICANT_DIGITS none", () => {
    expect(stepOf("0.01", PRECISION_MODES.TICK_SIZE)).toBe(0.01);
    expect(stepOf(2, PRECISION_MODES.DECIMAL_PLACES)).toBe(0.01);
    expect(stepOf(3, PRECISION_MODES.DECIMAL_PLACES)).toBe(0.001);
    expect(stepOf(0, PRECISION_MODES.DECIMAL_PLACES)).toBe(1);
    expect(stepOf(5, PRECISION_MODES.SIGNIFICANT_DIGITS)).toBeNull();
    expect(stepOf(undefined, PRECISION_MODES.TICK_SIZE)).toBeNull();
  });

  test("the live adapter reads the tick and lot in the exchange's own mode", async () => {
    const { exchange, venue } = await spotExchange();
    expect(venue.precisionMode).toBe(PRECISION_MODES.TICK_SIZE); // Binance: precision is the step
    expect(await exchange.rules()).toEqual({ tickSize: 0.01, lotSize: 0.0001, minNotional: 5 });
    // the same market stated in decimal places, as many other exchanges do
    venue.precisionMode = PRECISION_MODES.DECIMAL_PLACES;
    venue.markets!["ETH/USDT"].precision = { price: 2, amount: 4 };
    expect(await exchange.rules()).toEqual({ tickSize: 0.01, lotSize: 0.0001, minNotional: 5 });
    venue.precisionMode = PRECISION_MODES.SIGNIFICANT_DIGITS;
    const e = await exchange.rules().then(() => null, (e) => e);
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toContain("mmbot needs a tick and a lot size (ccxt's TICK_SIZE or DECIMAL_PLACES modes");
  });
});

describe("prices formatted by ccxt keep their side of the book", () => {
  test("a nearest-rounding formatter never moves a bid up or an ask down", () => {
    const nearest = (p: number) => Math.round(p / 0.01) * 0.01;
    expect(directedPrice(nearest, 2999.996, "buy", 0.01)).toBeCloseTo(2999.99, 9); // nearest 3000.00 is above
    expect(directedPrice(nearest, 3000.004, "sell", 0.01)).toBeCloseTo(3000.01, 9); // nearest 3000.00 is below
    expect(directedPrice(nearest, 2999.99, "buy", 0.01)).toBeCloseTo(2999.99, 9);
  });

  test("orders reach the venue through ccxt's priceToPrecision and amountToPrecision", async () => {
    const { fake, exchange } = await spotExchange();
    await exchange.rules();
    // off-grid on purpose: ccxt rounds the price to the nearest tick (2990.01), the bid stays at or below
    await exchange.place({ clientOrderId: "mmbot-p1", side: "buy", price: 2990.006, amount: 0.012345 });
    await exchange.place({ clientOrderId: "mmbot-p2", side: "sell", price: 3010.004, amount: 0.012345 });
    const sent = fake.calls("POST /api/v3/order").map((r) => [r.params.side, r.params.price, r.params.quantity]);
    expect(sent).toEqual([["BUY", "2990", "0.0123"], ["SELL", "3010.01", "0.0123"]]);
  });
});
