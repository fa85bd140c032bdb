/**
 * The backtest summary as the aligned two-column table the `backtest` command prints. With --mirror it leads with
 * the edge (what quoting earned whichever way the market went) and the directional part; then, per fill, what a fill
 * was worth five minutes on: its spread against the mid at the fill, less how far the mid went on against it (the
 * markout), less the fee — so a loss says whether it came from fees, adverse selection or inventory (the inventory
 * line of the split). The distance from the mid at placement ("capture") is shown beside it, not in the sum: a
 * resting quote fills only once the price has travelled to it, and that distance comes back only as far as the mid
 * does, which the markout measures.
 */
import type { BacktestSummary } from "./backtest.ts";

/** Per fill, bps of the fill's value: the fee paid (volume-weighted, so the same as the maker fee on every fill). */
export const feePerFillBps = (s: Pick<BacktestSummary, "fees_quote" | "volume_quote">) =>
  s.volume_quote > 0 ? s.fees_quote / s.volume_quote * 10_000 : null;

/**
 * What a fill was worth 5 minutes after it traded, bps: its spread against the mid of its moment (volume-weighted, as
 * the fee) − the 5-minute markout (the mean over fills) − the fee. Null parts: no fills, or no fill 5 minutes before
 * the end (no markout, so no sum).
 */
export function perFillBps(
  s: Pick<BacktestSummary, "spread_pnl_quote" | "fees_quote" | "volume_quote" | "markout_5m_bps">,
): { spreadBps: number | null; markoutBps: number | null; feeBps: number | null; netBps: number | null } {
  if (!(s.volume_quote > 0)) return { spreadBps: null, markoutBps: s.markout_5m_bps, feeBps: null, netBps: null };
  const spreadBps = s.spread_pnl_quote / s.volume_quote * 10_000, feeBps = feePerFillBps(s)!;
  const m = s.markout_5m_bps;
  return { spreadBps, markoutBps: m, feeBps, netBps: m === null ? null : spreadBps - m - feeBps };
}

export function summaryTable(s: BacktestSummary, quote: string): string {
  // no "-0.00": a value that rounds to zero prints as zero
  const f = (x: number | null, d = 2) => (x === null ? "n/a" : (Math.abs(x) < 0.5 * 10 ** -d ? 0 : x).toFixed(d));
  const skipped = Object.entries(s.skipped).filter(([, n]) => n > 0).map(([k, n]) => `${k.replaceAll("_", " ")} ${n}`);
  const trips = s.kill_switch_trips.map((t) => `${t.ts.slice(0, 16)} (drawdown ${f(t.drawdown_pct)} %)`);
  const lead: [string, string][] = s.edge_pct === undefined || s.mirror === undefined ? [] : [
    [
      "edge (mirrored)",
      `${f(s.edge_pct, 3)} % = (excess ${f(s.return_pct - s.hold_return_pct, 3)} % + mirror excess ${
        f(s.mirror.return_pct - s.mirror.hold_return_pct, 3)
      } %) / 2`,
    ],
    ["directional", `${f(s.directional_pct ?? null, 3)} % (near 0: no bet on the direction)`],
    [
      "mirror",
      `return ${f(s.mirror.return_pct, 3)} %, hold ${f(s.mirror.hold_return_pct, 3)} %, ${s.mirror.fills} fills`,
    ],
  ];
  const rows: [string, string][] = [
    ...lead,
    ["per fill", perFillText(s, f)],
    ["period", `${s.start.slice(0, 16)} → ${s.end.slice(0, 16)} (${s.ticks} ticks)`],
    ["initial equity", `${f(s.initial_equity_quote)} ${quote} (${s.initial_base} base + ${s.initial_quote} ${quote})`],
    ["final equity", `${f(s.final_equity_quote)} ${quote}`],
    ["pnl", `${f(s.pnl_quote)} ${quote} (${f(s.return_pct, 3)} %)`],
    [
      "  split",
      `spread ${f(s.spread_pnl_quote)}, inventory ${f(s.inventory_pnl_quote)}, fees −${f(s.fees_quote)}, funding ${
        f(s.funding_quote)
      } ${quote}`,
    ],
    ["hold benchmark", `${f(s.hold_equity_quote)} ${quote} (${f(s.hold_return_pct, 3)} %)`],
    ["sharpe (hourly, annualised)", f(s.sharpe)],
    ["max drawdown", `${f(s.max_drawdown_pct, 3)} %`],
    ["kill switch", trips.length ? `tripped ${trips.join(", ")}` : "not tripped"],
    ...(s.liquidations
      ? [["LIQUIDATED", `${s.liquidations} time(s): the paper venue closed the position`] as [string, string]]
      : []),
    ["fills", `${s.fills} (${s.buys} buys, ${s.sells} sells)`],
    ["volume", `${f(s.volume_quote)} ${quote}`],
    ["spread capture", `${f(s.spread_capture_bps_avg)} bps per fill (from the mid at placement)`],
    ["markout 1 min / 5 min", `${f(s.markout_1m_bps)} / ${f(s.markout_5m_bps)} bps against us`],
    [
      "at the inventory limit",
      `${f(s.inventory_limit_time_pct, 1)} % of ticks · mean |ratio − target| ${f(s.inventory_deviation_avg, 3)}`,
    ],
    ["quotes skipped (side-ticks)", skipped.length ? skipped.join(", ") : "none"],
    ["final balances", `${f(s.final_base, 8)} base, ${f(s.final_quote, 6)} ${quote}`],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join("\n");
}

/** "-11.22 bps by 5 min = at the fill 0.00 − markout 9.22 − fee 2.00 (…)": the sum, then what it leaves out. */
function perFillText(s: BacktestSummary, f: (x: number | null) => string): string {
  const p = perFillBps(s);
  return `${f(p.netBps)} bps by 5 min = at the fill ${f(p.spreadBps)} − markout ${f(p.markoutBps)} − fee ${
    f(p.feeBps)
  } (markout 1 min ${f(s.markout_1m_bps)}; quoted ${f(s.spread_capture_bps_avg)} bps from the mid)`;
}
