import { describe, expect, test } from "bun:test";
import { marketFolder, monthsOf, symbolFolder } from "../../lib/venues/data-folder.ts";

describe("the download folder", () => {
  test("one folder a market, named so every file system takes it", () => {
    expect(symbolFolder("ETH/USDT")).toBe("ETH_USDT");
    expect(symbolFolder("ETH/USDT:USDT")).toBe("ETH_USDT_USDT");
    expect(marketFolder("binanceusdm", "BTC/USDT:USDT", "data")).toBe("data/binanceusdm/BTC_USDT_USDT");
  });

  test("the whole UTC months a range touches, across a year's end; --to exclusive", () => {
    const months = monthsOf(Date.UTC(2024, 11, 31, 23, 59), Date.UTC(2025, 1, 1));
    expect(months).toEqual([
      { name: "2024-12", startTs: Date.UTC(2024, 11, 1), endTs: Date.UTC(2025, 0, 1) },
      { name: "2025-01", startTs: Date.UTC(2025, 0, 1), endTs: Date.UTC(2025, 1, 1) },
    ]);
    expect(monthsOf(Date.UTC(2024, 1, 10), Date.UTC(2024, 1, 10, 0, 1)).map((m) => m.name)).toEqual(["2024-02"]);
  });
});
