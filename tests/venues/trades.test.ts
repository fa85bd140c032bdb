/**
 * Fills are taken once each off Binance too: a venue that cannot page after a trade id returns its recent window,
 * and a watermark that fell out of it must not make every trade in it count again.
 */
import { afterEach, expect, test } from "bun:test";
import { CcxtExchange } from "../../lib/venues/ccxt.ts";
import { createVenue, loadCcxtErrors } from "../../lib/venues/ccxt-venue.ts";
import { FakeBinance, KEYS } from "../fakes/binance.ts";
import { config } from "../fixtures.ts";

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

test("off Binance, trades already taken are never returned again, even when the watermark left the window", async () => {
  const fake = new FakeBinance("spot").start();
  cleanups.push(() => fake.stop());
  const cfg = config("mode=live", "feed.source=live", `market.rest_url=${fake.url}`);
  const { venue } = await createVenue(cfg, { trading: true, secrets: KEYS });
  venue.enableRateLimit = false;
  // the adapter pages by trade id only on Binance: under another id it takes the venue's recent window
  Object.defineProperty(venue, "id", { value: "otherex" });
  const exchange = new CcxtExchange(venue, await loadCcxtErrors(), cfg);
  exchange.rememberTrades(["500"]); // the ledger's, at start

  await exchange.place({ clientOrderId: "mmbot-1", side: "buy", price: 2990, amount: 0.01 });
  await exchange.place({ clientOrderId: "mmbot-2", side: "buy", price: 2980, amount: 0.01 });
  fake.fill("mmbot-1"); // trade 500: booked before this run
  fake.fill("mmbot-2"); // trade 501
  expect((await exchange.fillsSince("499")).map((f) => f.tradeId)).toEqual(["501"]);
  // the watermark is not in the window any more: nothing is new
  expect(await exchange.fillsSince("gone-from-the-window")).toEqual([]);
  await exchange.place({ clientOrderId: "mmbot-3", side: "sell", price: 3010, amount: 0.01 });
  fake.fill("mmbot-3");
  expect((await exchange.fillsSince("gone-from-the-window")).map((f) => f.tradeId)).toEqual(["502"]);
});
