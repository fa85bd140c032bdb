import { describe, expect, test } from "bun:test";
import { openPortfolio } from "../../lib/core/accounting.ts";
import type { FundingPayment } from "../../lib/core/funding.ts";
import type { Candle, Fill } from "../../lib/core/types.ts";
import { FundingLedger } from "../../lib/engine/funding.ts";
import { bar } from "../fixtures.ts";

const H8 = 8 * 3_600_000;
const T = Date.UTC(2024, 0, 2, 8); // a funding time
const fill = (ts: number, side: "buy" | "sell", amount: number): Fill => ({
  tradeId: `t${ts}`,
  clientOrderId: "mmbot-x",
  side,
  price: 2000,
  amount,
  feeQuote: 0,
  ts,
});

describe("funding from rates (paper, backtest)", () => {
  test("the position at the funding time, the open of its candle once closed, the rate: −position × open × rate", async () => {
    const p = openPortfolio(0, 0, 2000);
    const credited: number[] = [];
    const book = new FundingLedger({
      source: { kind: "rates", rateAt: (ts) => (ts === T ? 0.0002 : null) },
      afterTs: T - 15_000,
      credit: (q) => credited.push(q),
    });
    // the tick at T + 10 s took two fills: 0.1 bought at T − 2 s and 0.3 at T + 5 s; the position is now 0.8,
    // and at T it was 0.5
    p.base = 0.8;
    expect(await book.settle(T + 10_000, p, [fill(T - 2_000, "buy", 0.1), fill(T + 5_000, "buy", 0.3)], [])).toEqual(
      [],
    ); // its candle has not closed yet
    const candles: Candle[] = [bar(T - 60_000, 1990, 1995, 1985, 1992), bar(T, 2010, 2020, 2000, 2015)];
    const events = await book.settle(T + 75_000, p, [], candles);
    // −0.5 × 2010 × 0.0002 = −0.201
    expect(events.map((e) => e.payment)).toEqual([{
      id: `funding-${T}`,
      ts: T,
      amountQuote: -0.201,
      rate: 0.0002,
      price: 2010,
      positionBase: 0.5,
    }]);
    expect(p.funding).toBeCloseTo(-0.201, 12);
    expect(p.quote).toBeCloseTo(-0.201, 12);
    expect(credited).toEqual([-0.201]);
    // nothing twice, and nothing to do until the next funding time
    expect(await book.settle(T + 90_000, p, [], candles)).toEqual([]);
    expect(book.due(T + 105_000)).toBe(false);
    expect(book.due(T + H8)).toBe(true);
  });

  test("no funding before the first tick; a time without its candle (a gap) or rate is given up and counted", async () => {
    const p = openPortfolio(-1, 4000, 2000);
    const book = new FundingLedger({ source: { kind: "rates", rateAt: () => null }, afterTs: null });
    expect(await book.settle(T, p, [], [bar(T, 2000, 2000, 2000, 2000)])).toEqual([]); // the first tick is at T
    await book.settle(T + H8 + 1_000, p, [], []); // T + 8 h passes in a gap
    expect(await book.settle(T + H8 + 11 * 60_000, p, [], [])).toEqual([]);
    expect(book.missed).toBe(1);
  });
});

describe("funding from the venue's payments (live)", () => {
  test("asked after a funding time until its payment arrives; each payment booked once", async () => {
    const payments: FundingPayment[] = [];
    const asked: (number | null)[] = [];
    const book = new FundingLedger({
      source: {
        kind: "payments",
        since: (after) => {
          asked.push(after);
          return Promise.resolve(payments.filter((x) => after === null || x.ts > after));
        },
      },
      afterTs: T - 3_600_000, // the account opened an hour before T
    });
    const p = openPortfolio(0, 1000, 2000);
    expect(book.due(T - 60_000)).toBe(false); // before T: nothing to ask
    expect(book.due(T + 10_000)).toBe(true);
    expect(asked).toEqual([]);
    expect(await book.settle(T + 10_000, p, [], [])).toEqual([]); // asked; not paid yet
    expect(book.due(T + 40_000)).toBe(false); // not again within the minute
    payments.push({ id: "income-1", ts: T + 3, amountQuote: 0.12, rate: null, price: null, positionBase: null });
    const events = await book.settle(T + 75_000, p, [], []);
    expect(events.map((e) => e.payment.id)).toEqual(["income-1"]);
    expect(p.funding).toBe(0.12);
    expect(book.due(T + 140_000)).toBe(false); // settled: not asked again
    expect(asked).toEqual([T - 3_600_000, T - 3_600_000]);
  });
});
