/** Texts of /backtest's answer and of the daily report. Pure functions of the figures. */
import type { PnlSummary } from "../core/accounting.ts";
import { currencies, signed } from "../core/format.ts";
import type { BacktestSummary } from "../lab/backtest.ts";
import { perFillBps } from "../lab/summary.ts";
import type { DaySummary } from "../storage/ledger.ts";

export interface BacktestAsked {
  days: number;
  profile: string;
  symbol: string;
  /** where the candles came from */
  where: string;
  ms: number;
}

/** /backtest's answer: return against hold, the PnL split of DESIGN §14, fills, fees. */
export function backtestText(s: BacktestSummary, a: BacktestAsked): string {
  const [, quote] = currencies(a.symbol);
  const lines = [
    `🧪 Backtest ${a.symbol} · ${a.profile} · ${a.days} day(s) of ${a.where}`,
    `${s.start.slice(0, 16).replace("T", " ")} → ${s.end.slice(0, 16).replace("T", " ")} UTC`,
  ];
  // mirrored (DESIGN §14): the edge leads, it is what quoting earns whichever way the market goes
  if (s.edge_pct !== undefined && s.directional_pct !== undefined) {
    lines.push(
      `Edge: ${signed(s.edge_pct, 3)} % · directional: ${signed(s.directional_pct, 3)} % (run and its mirror)`,
    );
  }
  lines.push(
    `Return: ${signed(s.return_pct, 3)} % · hold: ${signed(s.hold_return_pct, 3)} % · vs hold: ${
      signed(s.return_pct - s.hold_return_pct, 3)
    } %`,
  );
  lines.push(
    `PnL: ${signed(s.pnl_quote)} ${quote} = spread ${signed(s.spread_pnl_quote)} + inventory ${
      signed(s.inventory_pnl_quote)
    } − fees ${s.fees_quote.toFixed(2)} + funding ${signed(s.funding_quote)}`,
  );
  lines.push(
    `Fills: ${s.fills} (${s.buys} buys, ${s.sells} sells) · volume ${s.volume_quote.toFixed(2)} ${quote} · fees ${
      s.fees_quote.toFixed(2)
    } ${quote}`,
  );
  // what a fill was worth 5 minutes on (its spread at the fill − the markout − the fee; summary.ts): a loss from fees,
  // from adverse selection, or (the PnL line's inventory) from holding
  if (s.fills > 0) {
    const p = perFillBps(s), bps = (x: number | null) => (x === null ? "n/a" : x.toFixed(1));
    lines.push(
      `Per fill: ${bps(p.netBps)} bps by 5 min = at the fill ${bps(p.spreadBps)} − markout ${bps(p.markoutBps)} − fee ${
        bps(p.feeBps)
      } · markout 1 min ${bps(s.markout_1m_bps)} · quoted ${bps(s.spread_capture_bps_avg)} bps from the mid`,
    );
  }
  lines.push(`At the inventory limit: ${s.inventory_limit_time_pct.toFixed(1)} % of the time`);
  lines.push(
    `Max drawdown: ${s.max_drawdown_pct.toFixed(2)} % · Sharpe: ${s.sharpe === null ? "n/a" : s.sharpe.toFixed(2)}`,
    `Computed in ${(a.ms / 1000).toFixed(1)} s beside the running bot`,
  );
  return lines.join("\n");
}

/** What happened within the report's window, from the ledger's fills (the figures of a ledger day). */
export type WindowFigures = Omit<DaySummary, "day">;

export interface DailyInput {
  symbol: string;
  fromTs: number;
  toTs: number;
  window: WindowFigures;
  /** the account's totals now */
  pnl: PnlSummary;
  inventoryRatio: number | null;
  target: number;
  /** within the window, from this run's ticks */
  maxDrawdownPct: number;
}

const utc = (ts: number) => new Date(ts).toISOString().slice(0, 16).replace("T", " ");

export function dailyText(d: DailyInput): string {
  const [base, quote] = currencies(d.symbol);
  const w = d.window, p = d.pnl;
  return [
    `🗓 Daily report ${d.symbol} · ${utc(d.fromTs)} → ${utc(d.toTs)} UTC`,
    `Day: realized ${signed(w.realizedQuote)} − fees ${w.feesQuote.toFixed(2)} = ${
      signed(w.realizedQuote - w.feesQuote)
    } ${quote}`,
    `Fills: ${w.fills} (${w.buys} buys, ${w.sells} sells) · volume ${w.volumeQuote.toFixed(2)} ${quote}`,
    `Total PnL: ${signed(p.pnl)} ${quote} = realized ${signed(p.realized)} + unrealized ${
      signed(p.unrealized)
    } − fees ${p.fees.toFixed(2)} + funding ${signed(p.funding)}`,
    `Inventory: ${d.inventoryRatio === null ? "n/a" : d.inventoryRatio.toFixed(3)} (target ${d.target}) · ${
      Number(p.base.toFixed(8))
    } ${base}, ${p.quote.toFixed(2)} ${quote}`,
    `Max drawdown in the window: ${d.maxDrawdownPct.toFixed(2)} %`,
  ].join("\n");
}
