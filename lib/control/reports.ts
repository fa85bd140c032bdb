/**
 * Plain-text reports for Telegram commands. Pure functions of the engine status and the ledger's
 * figures, so every number shown on the phone is the one the dashboard and the ledger hold.
 */
import type { Portfolio } from "../core/accounting.ts";
import { type Config, schemaFields, settableAtRuntime } from "../config/schema.ts";
import { getPath } from "../config/validate.ts";
import type { EngineStatus } from "../engine/status.ts";
import { duration, megabytes, type ProcessFigures } from "../engine/process.ts";
import type { Order } from "../core/types.ts";
import { currencies, isoMinute, onLot, onTick, plain, signed } from "../core/format.ts";
import { feeFloorWarning } from "../core/spreads.ts";
import type { DaySummary, LedgerFill } from "../storage/ledger.ts";

const STATE_WORDS: Record<EngineStatus["state"], string> = {
  starting: "starting",
  warming_up: "warming up",
  quoting: "running",
  standing_aside: "running, standing aside",
  paused: "paused",
  pausing: "pausing (orders still resting)",
  killed: "stopped by the kill switch",
  error_breaker: "stopped by the error breaker",
  stopped: "stopped",
};

/** The market as the reports print it: prices on the tick, sizes on the lot (as alerts and the console do). */
export type MarketGrid = Pick<Config["market"], "symbol" | "tick_size" | "lot_size">;

export function statusText(
  s: EngineStatus,
  today: DaySummary | null,
  target: number,
  tickSize: number,
  proc?: ProcessFigures,
): string {
  const [base, quote] = currencies(s.symbol);
  const lines = [`📊 ${s.symbol} ${s.marketType} · ${s.mode} · ${s.profile}`];
  let state = STATE_WORDS[s.state];
  if (s.state === "warming_up") state += ` (${s.warmup.count}/${s.warmup.required} candles)`;
  lines.push(`State: ${state}${s.detail ? ` — ${s.detail}` : ""}`);
  if (s.mid !== null) lines.push(`Mid: ${plain(s.mid)}`);
  const d = s.decision;
  if (d?.action === "quote" && s.state === "quoting") {
    const f = d.figures;
    lines.push(`Bid: ${d.bid ? `${onTick(d.bid.price, tickSize)} (${f.bidDistanceBps!.toFixed(1)} bp)` : "–"}`);
    lines.push(`Ask: ${d.ask ? `${onTick(d.ask.price, tickSize)} (${f.askDistanceBps!.toFixed(1)} bp)` : "–"}`);
  }
  const ind = s.indicators;
  if (ind.natr !== null) lines.push(`NATR: ${ind.natr.toFixed(3)} %`);
  if (d?.figures) lines.push(`Trend signal: ${signed(d.figures.trend, 3)}`);
  if (s.inventoryRatio !== null) {
    lines.push(`Inventory ratio: ${s.inventoryRatio.toFixed(3)} (target ${target})`);
  }
  if (s.margin) lines.push(marginLine(s, base));
  if (d?.action === "quote") {
    for (const [side, skip] of [["Bid", d.skipped.bid], ["Ask", d.skipped.ask]] as const) {
      if (skip?.reason === "min_notional") lines.push(`⚠️ ${side} not placed (min notional): ${skip.detail}`);
    }
  }
  lines.push(`Open orders: ${s.openOrders.length}`);
  if (s.pnl) {
    const todayPnl = today ? today.realizedQuote - today.feesQuote : 0;
    lines.push(
      `PnL today (UTC, realized − fees): ${signed(todayPnl)} ${quote}${today ? `, ${today.fills} fills` : ""}`,
    );
    lines.push(`PnL total: ${signed(s.pnl.pnl)} ${quote} (${s.pnl.fills} fills)`);
  }
  if (s.killSwitch) lines.push("Kill switch tripped: /resume to quote again");
  if (s.lastError && s.consecutiveErrors) lines.push(`Last error: ${s.lastError}`);
  if (proc) {
    lines.push(
      `Process: ${megabytes(proc.rssBytes)} resident (heap ${megabytes(proc.heapUsedBytes)}), up ${
        duration(proc.uptimeS)
      }`,
    );
  }
  lines.push(`As of ${isoMinute(s.ts)} UTC · ${base}/${quote}`);
  return lines.join("\n");
}

/** Perp: position, entry, liquidation price and its distance, leverage and margin mode, the guard. */
function marginLine(s: EngineStatus, base: string): string {
  const m = s.margin!;
  const pos = s.inventory?.position ?? 0;
  const entry = s.inventory?.entryPrice ? ` at entry ${plain(s.inventory.entryPrice)}` : "";
  const liq = m.liquidationPrice === null
    ? "no liquidation price"
    : `liquidation ${plain(m.liquidationPrice)} (${distanceText(m.liquidationDistancePct)})`;
  const guard = m.guarding ? ` · GUARD: not adding (within ${m.guardPct} %)` : "";
  return `Position: ${plain(pos)} ${base}${entry} · ${liq} · ${m.leverage}x ${m.marginMode}${guard}`;
}

/** "8.9 % away" while the position stands; "PAST it by 8.9 %" beyond the liquidation price. */
function distanceText(pct: number | null): string {
  if (pct === null) return "distance unknown";
  return pct >= 0 ? `${pct.toFixed(1)} % away` : `⚠️ PAST it by ${(-pct).toFixed(1)} %`;
}

export function balanceText(s: EngineStatus, portfolio: Portfolio | null): string {
  const [base, quote] = currencies(s.symbol);
  if (!s.inventory || !portfolio || s.mid === null) return "No balances yet: the bot is still starting.";
  const lines = ["💰 Balances"];
  if (s.marketType === "perp") {
    const entry = s.inventory.entryPrice ? ` at entry ${plain(s.inventory.entryPrice)}` : "";
    lines.push(
      `Venue: ${plain(s.inventory.quote)} ${quote}, position ${plain(s.inventory.position ?? 0)} ${base}${entry}`,
    );
    lines.push(
      `From fills: position ${plain(portfolio.base)} ${base} at entry ${plain(portfolio.avgCost)}, cash ${
        plain(portfolio.quote)
      }`,
    );
  } else {
    lines.push(`Venue: ${plain(s.inventory.base)} ${base}, ${plain(s.inventory.quote)} ${quote}`);
    lines.push(
      `From fills: ${plain(portfolio.base)} ${base}, ${plain(portfolio.quote)} ${quote} (avg cost ${
        plain(portfolio.avgCost)
      })`,
    );
  }
  if (s.margin) {
    const m = s.margin;
    lines.push(
      `Liquidation price: ${
        m.liquidationPrice === null
          ? "none"
          : `${plain(m.liquidationPrice)} (${distanceText(m.liquidationDistancePct)}; ${
            s.mode === "live" ? "the venue's" : "computed"
          })`
      } · ${m.leverage}x ${m.marginMode}`,
    );
    lines.push(`Funding so far: ${signed(portfolio.funding, 4)} ${quote}`);
  }
  if (s.pnl) {
    lines.push(`Equity at mid ${plain(s.mid)}: ${s.pnl.equity.toFixed(2)} ${quote}`);
  }
  if (s.inventoryRatio !== null) lines.push(`Inventory ratio: ${s.inventoryRatio.toFixed(3)}`);
  return lines.join("\n");
}

export function ordersText(orders: readonly Order[], m: MarketGrid): string {
  const [base] = currencies(m.symbol);
  if (!orders.length) return "No open orders.";
  return [
    `📋 ${orders.length} open order(s)`,
    ...[...orders].sort((a, b) => a.side.localeCompare(b.side) || (a.level ?? 0) - (b.level ?? 0)).map((o) =>
      `${o.side === "buy" ? "BUY " : "SELL"} ${onLot(o.amount, m.lot_size)} ${base} @ ${onTick(o.price, m.tick_size)}${
        o.filled ? ` (filled ${onLot(o.filled, m.lot_size)})` : ""
      } · level ${o.level ?? 0} · ${o.clientOrderId}`
    ),
  ].join("\n");
}

export function fillsText(fills: readonly LedgerFill[], m: MarketGrid): string {
  const [base, quote] = currencies(m.symbol);
  if (!fills.length) return "No fills yet.";
  return [
    `🧾 Last ${fills.length} fill(s), oldest first`,
    ...fills.map((f) =>
      `${isoMinute(f.ts)} ${f.side === "buy" ? "BUY " : "SELL"} ${onLot(f.amount, m.lot_size)} ${base} @ ${
        onTick(f.price, m.tick_size)
      } · fee ${
        f.feeAsset
          ? `${plain(f.feeAmount!)} ${f.feeAsset} (≈${f.feeQuote.toFixed(4)} ${quote})`
          : `${f.feeQuote.toFixed(4)} ${quote}`
      }`
    ),
  ].join("\n");
}

export function pnlText(s: EngineStatus, days: readonly DaySummary[]): string {
  const [, quote] = currencies(s.symbol);
  const p = s.pnl;
  if (!p) return "No PnL yet: the bot is still starting.";
  const lines = [
    `📈 PnL (${quote})`,
    `Total: ${signed(p.pnl)} = realized ${signed(p.realized)} + unrealized ${signed(p.unrealized)} − fees ${
      p.fees.toFixed(2)
    }${s.marketType === "perp" ? ` + funding ${signed(p.funding)}` : ""}`,
    `Equity ${p.equity.toFixed(2)} from ${p.initialEquity.toFixed(2)} · drawdown ${p.drawdownPct.toFixed(2)} %`,
    `Fills ${p.fills} (${p.buys} buys, ${p.sells} sells) · volume ${p.volumeQuote.toFixed(2)}`,
  ];
  if (days.length) {
    lines.push("By UTC day (realized − fees):");
    for (const d of days.slice(-7)) {
      lines.push(`${d.day}: ${signed(d.realizedQuote - d.feesQuote)} · ${d.fills} fills`);
    }
  }
  return lines.join("\n");
}

/**
 * The parameters a running bot can change, `*` marking those overridden with /set; a warning first when the
 * configured spreads at the current NATR (percent) sit under the maker fee (lib/core/spreads.ts).
 */
export function paramsText(config: Config, overrides: Record<string, string>, natrPct: number | null = null): string {
  const lines = ["⚙️ Parameters (* = changed with /set)"];
  const warning = feeFloorWarning(config.strategy, config.market.maker_fee_bps, natrPct);
  if (warning) lines.push(`⚠️ Fee floor: ${warning}`);
  for (const [path] of schemaFields()) {
    if (!settableAtRuntime(path)) continue;
    lines.push(`${path in overrides ? "*" : " "} ${path} = ${getPath(config, path)}`);
  }
  lines.push("Change one: /set <key> <value>, e.g. /set strategy.order_amount 0.02; undo: /unset <key>");
  return lines.join("\n");
}

export const HELP = [
  "/status — state, mid, quotes, NATR, trend, inventory, PnL",
  "/pause — cancel our orders and stop quoting",
  "/resume — quote again (also clears a tripped kill switch)",
  "/balance — balances at the venue and from fills",
  "/orders — our open orders",
  "/fills [n] — the last n fills (default 10, at most 50)",
  "/pnl — PnL total and by day",
  "/chart [hours] — a picture: price, our quotes and fills, equity, inventory (default 2 h)",
  "/backtest [days] [profile] — a backtest on recent candles, beside the running bot",
  "/params — parameters that /set can change",
  "/set <key> <value> — change one, validated and kept across restarts",
  "/unset <key> — back to the config file's value",
  "/help — this list",
];

export const helpText = () => "mmbot commands:\n" + HELP.join("\n");
