import { describe, expect, test } from "bun:test";
import { computedFunding, fundingPaymentQuote, fundingTimesBetween, rateTable } from "../../lib/core/funding.ts";
import { parseFundingCsv } from "../../lib/venues/funding-file.ts";
import { DataError } from "../../lib/venues/candles.ts";

const H8 = 8 * 3_600_000;
const DAY = Date.UTC(2023, 6, 20);

describe("funding payment (DESIGN §13: −position × price × rate)", () => {
  test("a long pays a positive rate, a short receives it", () => {
    // 0.5 ETH long at 2000, rate 0.0001: pays 0.1 USDT
    expect(fundingPaymentQuote(0.5, 2000, 0.0001)).toBeCloseTo(-0.1, 12);
    expect(fundingPaymentQuote(-0.5, 2000, 0.0001)).toBeCloseTo(0.1, 12);
    // a negative rate: the long receives
    expect(fundingPaymentQuote(2, 30000, -0.00005)).toBeCloseTo(3, 12);
    expect(Object.is(fundingPaymentQuote(0, 2000, 0.0001), 0)).toBe(true);
  });

  test("a computed payment keeps what it came from", () => {
    expect(computedFunding(DAY, -0.01, 29000, 0.0001)).toEqual({
      id: `funding-${DAY}`,
      ts: DAY,
      amountQuote: 0.029,
      rate: 0.0001,
      price: 29000,
      positionBase: -0.01,
    });
  });
});

describe("funding times", () => {
  test("00:00, 08:00, 16:00 UTC in (after, to]", () => {
    expect(fundingTimesBetween(DAY, DAY + H8)).toEqual([DAY + H8]);
    expect(fundingTimesBetween(DAY - 1, DAY + 2 * H8 + 5)).toEqual([DAY, DAY + H8, DAY + 2 * H8]);
    expect(fundingTimesBetween(DAY + 1, DAY + H8 - 1)).toEqual([]);
  });

  test("a rate table answers exact funding times only", () => {
    const at = rateTable([{ ts: DAY, rate: 0.0001 }, { ts: DAY + H8, rate: -0.0002 }]);
    expect(at(DAY + H8)).toBe(-0.0002);
    expect(at(DAY + 2 * H8)).toBeNull();
  });
});

describe("funding CSV", () => {
  test("parses ts,rate", () => {
    expect(parseFundingCsv(`ts,rate\n${DAY},0.0001\n${DAY + H8},-0.00003\n`, "f.csv")).toEqual([
      { ts: DAY, rate: 0.0001 },
      { ts: DAY + H8, rate: -0.00003 },
    ]);
  });

  test.each([
    ["ts,funding\n", 'f.csv:1: expected the header "ts,rate"'],
    [`ts,rate\n${DAY + 60_000},0.0001\n`, "f.csv:2: ts"],
    [`ts,rate\n${DAY},1\n`, 'f.csv:2: rate "1" is not a rate between -0.05 and 0.05'],
    [`ts,rate\n${DAY},abc\n`, "f.csv:2: rate"],
    [`ts,rate\n${DAY + H8},0.0001\n${DAY},0.0001\n`, "f.csv:3: ts"],
    [`ts,rate\n${DAY},0.0001,3\n`, "f.csv:2: expected 2 columns"],
    ["ts,rate\n", "f.csv: no funding rates"],
  ])("refuses %j naming the line", (text: string, message: string) => {
    expect(() => parseFundingCsv(text, "f.csv")).toThrow(DataError);
    expect(() => parseFundingCsv(text, "f.csv")).toThrow(message);
  });
});
