import { describe, expect, test } from "bun:test";
import { summaryTable } from "../../lib/lab/summary.ts";
import { BACKTEST_SUMMARY } from "../fixtures.ts";

const perFill = (table: string) => table.split("\n").find((l) => l.startsWith("per fill"))!.replace(/^per fill\s+/, "");

describe("the printed summary's per-fill line", () => {
  test("a fill's worth 5 minutes on: its spread at the fill − the markout − the fee, the distance at placement beside", () => {
    // a replay: fills trade when the mid reaches the order (spread 0), then the mid goes on 9.22 bps; fee 1.60 on
    // 8000 = 2.00 bps: 0 − 9.22 − 2.00 = −11.22 bps. Summing the 21.74 bps from placement in would read +10.52.
    const s = {
      ...BACKTEST_SUMMARY,
      spread_pnl_quote: 0,
      fees_quote: 1.6,
      volume_quote: 8000,
      markout_1m_bps: 12.09,
      markout_5m_bps: 9.22,
      spread_capture_bps_avg: 21.74,
    };
    expect(perFill(summaryTable(s, "USDT"))).toBe(
      "-11.22 bps by 5 min = at the fill 0.00 − markout 9.22 − fee 2.00 (markout 1 min 12.09; quoted 21.74 bps from the mid)",
    );
  });

  test("a spread earned at the fill counts: 4 USDT on 10000 is 4 bps, less 1 bps markout and 2 bps fee", () => {
    const s = { ...BACKTEST_SUMMARY, spread_pnl_quote: 4, fees_quote: 2, volume_quote: 10_000, markout_5m_bps: 1 };
    expect(perFill(summaryTable(s, "USDT"))).toStartWith(
      "1.00 bps by 5 min = at the fill 4.00 − markout 1.00 − fee 2.00",
    );
  });

  test("no fill 5 minutes before the end: no sum, the parts that exist still shown", () => {
    expect(perFill(summaryTable(BACKTEST_SUMMARY, "USDT"))).toBe(
      "n/a bps by 5 min = at the fill 316.14 − markout n/a − fee 9.98 (markout 1 min n/a; quoted 3.00 bps from the mid)",
    );
  });
});
