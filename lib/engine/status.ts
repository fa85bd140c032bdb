/**
 * The engine's status: a pure projection of its state into the one object that the console line,
 * /health, /metrics, the dashboard and Telegram all read, so every screen shows the same figures.
 */
import { equityOf, type PnlSummary, type Portfolio, summarize } from "../core/accounting.ts";
import { type Breaker, closedBreaker } from "../core/breaker.ts";
import type { TickState } from "../core/decide.ts";
import { NO_TRANSITIONS, type Transitions } from "../core/transitions.ts";
import type { IndicatorSnapshot } from "../core/indicators.ts";
import { inventoryRatio, type QuoteDecision } from "../core/quoting.ts";
import { keptDecision } from "../core/quote-record.ts";
import { drawdownPct, type HeldBalances, riskEquity } from "../core/risk.ts";
import { liquidationDistancePct } from "../core/margin.ts";
import { midOf } from "../core/steps.ts";
import type { Inventory, Order, TopOfBook } from "../core/types.ts";
import type { Config } from "../config/schema.ts";
import { RestingOrders } from "./resting.ts";
import { SkipTally } from "./skips.ts";

export type EngineState =
  | "starting"
  | TickState
  /** not quoting, but orders of ours may still rest: cancels are retried every tick */
  | "pausing"
  | "stopped";

export interface EngineStatus {
  mode: Config["mode"];
  symbol: string;
  marketType: Config["market"]["type"];
  profile: Config["strategy"]["profile"];
  state: EngineState;
  /** why the engine is not quoting (or which side it skips), as a code: "stale_book", "paused", "funds", … */
  reason: string | null;
  /** the same, as the sentence a person reads */
  detail: string | null;
  paused: boolean;
  killSwitch: boolean;
  ts: number;
  lastTickTs: number | null;
  ticks: number;
  warmup: { count: number; required: number };
  topOfBook: TopOfBook | null;
  mid: number | null;
  indicators: IndicatorSnapshot;
  decision: QuoteDecision | null;
  inventory: Inventory | null;
  inventoryRatio: number | null;
  openOrders: readonly Order[];
  pnl: (PnlSummary & { drawdownPct: number }) | null;
  /** perp: leverage, margin mode, the liquidation price (venue's or computed) and the guard; null for spot */
  margin: PerpMargin | null;
  consecutiveErrors: number;
  lastError: string | null;
  /** duration of the last tick's compute and venue calls, ms */
  loopMs: number | null;
}

export interface PerpMargin {
  leverage: number;
  marginMode: Config["market"]["margin_mode"];
  /** null: flat, or no price liquidates the position */
  liquidationPrice: number | null;
  /** distance of the mid from the liquidation price on the safe side, % of mid: negative past it */
  liquidationDistancePct: number | null;
  /** risk.liquidation_guard_pct (0: off) */
  guardPct: number;
  /** the guard is keeping the side that adds to the position out of the book */
  guarding: boolean;
}

/**
 * What the engine holds between ticks. Written by the engine alone (lib/engine/engine.ts), which folds into it
 * what it gathered, what it decided and what the order desk did; everyone else reads the status projection.
 */
export interface RunState {
  state: EngineState;
  /** why not quoting, or which side is skipped: a code; null while quoting both sides */
  reason: string | null;
  /** the same as a sentence */
  detail: string | null;
  /** what of ours rests at the venue, as far as we know (its own owner: resting.ts) */
  orders: RestingOrders;
  lastTickTs: number | null;
  ticks: number;
  topOfBook: TopOfBook | null;
  decision: QuoteDecision | null;
  inventory: Inventory | null;
  /** our portfolio: the engine sets it at start, accounts.ts alone changes it (fills, funding) */
  portfolio: Portfolio | null;
  initialEquity: number;
  /** the account's starting balances, held: the strategy basis of the kill switch (lib/core/risk.ts) */
  held: HeldBalances | null;
  breaker: Breaker;
  loopMs: number | null;
  /** quotes not placed, by reason, since the start */
  skips: SkipTally;
  /** conditions alerted when they change (inventory limit, liquidation guard, stale book / candles) */
  transitions: Transitions;
}

/** The pause as the status reads it (the engine's pause store owns it). */
export interface PauseView {
  paused: boolean;
  /** why it is paused (the pause store's sentence), null when it is not */
  detail?: string | null;
  killSwitch: boolean;
  peakEquity: number | null;
}

export const initialRunState = (): RunState => ({
  state: "starting",
  reason: null,
  detail: null,
  orders: new RestingOrders(),
  lastTickTs: null,
  ticks: 0,
  topOfBook: null,
  decision: null,
  inventory: null,
  portfolio: null,
  initialEquity: 0,
  held: null,
  breaker: closedBreaker(),
  loopMs: null,
  skips: new SkipTally(),
  transitions: NO_TRANSITIONS,
});

/** States of a bot that quotes (or would): a pause recorded in one of them has not been acted on yet. */
const RUNNING: readonly EngineState[] = ["quoting", "standing_aside", "warming_up"];

export function projectStatus(
  cfg: Config,
  nowMs: number,
  indicators: IndicatorSnapshot,
  f: RunState,
  pause: PauseView,
): EngineStatus {
  const mid = f.topOfBook ? midOf(f.topOfBook) : null;
  const p = f.portfolio;
  // the operator's word shows the moment it is recorded, before the pull that the venue may keep waiting
  const recorded = pause.paused && RUNNING.includes(f.state);
  return {
    mode: cfg.mode,
    symbol: cfg.market.symbol,
    marketType: cfg.market.type,
    profile: cfg.strategy.profile,
    state: recorded ? "pausing" : f.state,
    reason: recorded ? "paused" : f.reason,
    detail: recorded
      ? `pausing: pause recorded, cancelling ${f.orders.open.length} order(s); ${pause.detail ?? "paused"}`
      : f.detail,
    paused: pause.paused,
    killSwitch: pause.killSwitch,
    ts: nowMs,
    lastTickTs: f.lastTickTs,
    ticks: f.ticks,
    warmup: { count: indicators.count, required: indicators.required },
    topOfBook: f.topOfBook && { ...f.topOfBook }, // copies: the cycle rewrites its records each tick (gathered.ts)
    mid,
    indicators,
    decision: keptDecision(f.decision), // a copy: the cycle writes the next tick's into the same record
    inventory: f.inventory && { ...f.inventory },
    inventoryRatio: f.inventory && mid !== null
      ? inventoryRatio(f.inventory, mid, cfg.market.type, cfg.strategy)
      : null,
    openOrders: f.orders.openWithLevels,
    pnl: p && mid !== null
      ? {
        ...summarize(p, mid, f.initialEquity),
        drawdownPct: drawdownPct(riskEquityOf(cfg, f, mid), pause.peakEquity ?? 0),
      }
      : null,
    margin: cfg.market.type === "perp" ? perpMargin(cfg, mid, f) : null,
    consecutiveErrors: f.breaker.failures,
    lastError: f.breaker.lastError,
    loopMs: f.loopMs,
  };
}

function perpMargin(cfg: Config, mid: number | null, f: RunState): PerpMargin {
  const liq = f.inventory?.liquidationPrice ?? null;
  const d = f.decision?.action === "quote" ? f.decision.skipped : null;
  return {
    leverage: cfg.market.leverage,
    marginMode: cfg.market.margin_mode,
    liquidationPrice: liq,
    liquidationDistancePct: mid === null ? null : liquidationDistancePct(mid, liq, f.inventory?.position ?? 0),
    guardPct: cfg.risk.liquidation_guard_pct,
    guarding: d?.bid?.reason === "liquidation_guard" || d?.ask?.reason === "liquidation_guard",
  };
}

/** The equity the kill switch watches now (risk.drawdown_basis, lib/core/risk.ts): at this mid, with the portfolio. */
export const riskEquityOf = (cfg: Config, f: Pick<RunState, "portfolio" | "held">, mid: number) =>
  riskEquity(cfg.risk.drawdown_basis, cfg.market.type, equityOf(f.portfolio!, mid), mid, f.held);
