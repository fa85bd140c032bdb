/**
 * The tick's decision, as data (DESIGN §5): from what the engine gathered (top of book, indicators, balances,
 * our orders at the venue, the pause) and what it holds (kill switch, peak equity, transitions), what to do —
 * quote (cancel, keep, place) or stand aside (cancel everything, with a reason), trip the kill switch, alert.
 * Pure: the engine gathers the inputs, the order desk carries out the actions, the engine folds the results.
 */
import type { EngineEvent } from "./events.ts";
import type { IndicatorSnapshot } from "./indicators.ts";
import { planOrders } from "./orders.ts";
import type { RiskLimits, StrategyParams } from "./params.ts";
import { computeQuotes, type QuoteDecision } from "./quoting.ts";
import { drawdownPct, riskGate } from "./risk.ts";
import { transition, type Transitions } from "./transitions.ts";
import type { Inventory, MarketRules, MarketType, Order, Quote, TopOfBook } from "./types.ts";

/** Why the engine may not quote whatever the market does: paused, or a ledger that cannot record. */
export interface Halt {
  /** the state shown: "paused", "killed", "error_breaker", or "standing_aside" (the ledger) */
  state: TickState;
  /** a code: "paused", "kill_switch", "error_breaker", "ledger" */
  reason: string;
  detail: string;
}

export interface TickInputs {
  nowMs: number;
  topOfBook: TopOfBook;
  rules: MarketRules;
  indicators: IndicatorSnapshot;
  inventory: Inventory;
  /** the equity the kill switch watches at this mid (risk.drawdown_basis: the account's, or the strategy's own) */
  equity: number;
  /** our orders resting at the venue (listed this tick, or known to be none) */
  open: readonly Order[];
  /** the pause (or a ledger that cannot record): null when the engine may quote */
  paused: Halt | null;
  ledgerFailing: Halt | null;
  /** the parameters (the config's sections) */
  config: { market: { type: MarketType; maker_fee_bps: number }; strategy: StrategyParams; risk: RiskLimits };
}

/** What the engine holds between ticks that a decision reads. */
export interface DecideState {
  killSwitch: boolean;
  /** the highest equity seen (including this tick's); null before the first */
  peakEquity: number | null;
  transitions: Transitions;
}

export type TickState =
  | "quoting"
  | "standing_aside"
  | "warming_up"
  | "paused"
  | "killed"
  | "error_breaker";

export interface TickActions {
  state: TickState;
  /** why not quoting (or which side is skipped): a code; null while quoting both sides */
  reason: string | null;
  /** the sentence a person reads; null while quoting both sides */
  detail: string | null;
  /** the quotes wanted and every figure behind them; null while standing aside */
  quote: QuoteDecision | null;
  cancel: readonly Order[];
  keep: readonly Order[];
  place: readonly Quote[];
  /** the kill switch trips now: pause, then cancel */
  killSwitch: Extract<EngineEvent, { type: "kill_switch" }> | null;
  /** quotes not placed this tick, by reason, one per side (null: quoted) */
  skipBid: string | null;
  skipAsk: string | null;
  transitions: Transitions;
  /** transitions to alert */
  alerts: readonly EngineEvent[];
}

const NO_ORDERS: readonly Order[] = Object.freeze([]);
const NO_EVENTS: readonly EngineEvent[] = Object.freeze([]);
const NO_QUOTES: readonly Quote[] = Object.freeze([]);

/** Standing aside: everything of ours is cancelled, nothing placed; both sides counted under `reason`. */
function aside(
  inp: TickInputs,
  state: TickState,
  reason: string,
  detail: string,
  transitions: Transitions,
  alerts: readonly EngineEvent[] = NO_EVENTS,
  killSwitch: TickActions["killSwitch"] = null,
  counted = true,
): TickActions {
  const skip = counted ? reason : null;
  return {
    state,
    reason,
    detail,
    quote: null,
    cancel: inp.open,
    keep: NO_ORDERS,
    place: NO_QUOTES,
    killSwitch,
    skipBid: skip,
    skipAsk: skip,
    transitions,
    alerts,
  };
}

export function decide(inp: TickInputs, st: DecideState): TickActions {
  const now = inp.nowMs, equity = inp.equity, risk = inp.config.risk;
  if (inp.paused) return aside(inp, inp.paused.state, inp.paused.reason, inp.paused.detail, st.transitions);

  const peakEquity = Math.max(st.peakEquity ?? equity, equity);
  const bookTs = inp.topOfBook.ts, natr = inp.indicators.natr;
  const gate = riskGate({ killSwitch: st.killSwitch, nowMs: now, bookTs, natr, equity, peakEquity }, risk);
  if (!gate.ok && gate.reason === "kill_switch") {
    const trip = st.killSwitch
      ? null
      : { type: "kill_switch" as const, ts: now, drawdownPct: drawdownPct(equity, peakEquity), equity, peakEquity };
    // the tick that trips it pauses instead of standing aside: its quotes are counted from the next tick on
    return aside(inp, "killed", "kill_switch", gate.detail, st.transitions, NO_EVENTS, trip, false);
  }
  const staleBook = !gate.ok && gate.reason === "stale_book" ? gate.detail : null;
  const why = inp.ledgerFailing ??
    (gate.ok ? null : { state: "standing_aside" as const, reason: gate.reason, detail: gate.detail });
  if (why) {
    const t = transition(st.transitions, now, staleBook);
    return aside(inp, why.state, why.reason, why.detail, t, t.events);
  }

  const cfg = inp.config;
  const decision = computeQuotes({
    nowMs: now,
    topOfBook: inp.topOfBook,
    rules: inp.rules,
    indicators: inp.indicators,
    inventory: inp.inventory,
    marketType: cfg.market.type,
    params: cfg.strategy,
    liquidationGuardPct: risk.liquidation_guard_pct,
    makerFeeBps: cfg.market.maker_fee_bps,
  });
  if (decision.action !== "quote") {
    const stale = decision.reason === "stale_candles" ? decision.detail : undefined;
    const t = transition(st.transitions, now, null, stale);
    const state = inp.indicators.ready ? "standing_aside" : "warming_up";
    const a = aside(inp, state, decision.reason, decision.detail, t, t.events);
    a.quote = decision;
    return a;
  }
  const t = transition(st.transitions, now, null, null, decision);
  const plan = planOrders(inp.open, decision, cfg.strategy.refresh_tolerance_bps);
  const { bid, ask } = decision.skipped;
  return {
    state: "quoting",
    reason: bid?.reason ?? ask?.reason ?? null,
    detail: bid && ask ? `${bid.detail}; ${ask.detail}` : (bid ?? ask)?.detail ?? null,
    quote: decision,
    cancel: plan.cancel,
    keep: plan.keep,
    place: plan.place,
    killSwitch: null,
    skipBid: bid?.reason ?? null,
    skipAsk: ask?.reason ?? null,
    transitions: t,
    alerts: t.events,
  };
}
