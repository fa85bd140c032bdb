/**
 * The tick's decision, as data (DESIGN §5): from what the engine gathered (top of book, indicators, balances,
 * our orders at the venue, the pause) and what it holds (kill switch, peak equity, transitions), what to do —
 * quote (cancel, keep, place) or stand aside (cancel everything, with a reason), trip the kill switch, alert.
 * Pure: the engine gathers the inputs, the order desk carries out the actions, the engine folds the results.
 */
import type { EngineEvent } from "./events.ts";
import type { IndicatorSnapshot } from "./indicators.ts";
import { type OrderPlan, planOrders } from "./orders.ts";
import type { RiskLimits, StrategyParams } from "./params.ts";
import { computeQuotesInto, type QuoteDecision, type QuoteInput } from "./quoting.ts";
import { QuoteRecord } from "./quote-record.ts";
import { drawdownPct, riskGate, type RiskState } from "./risk.ts";
import { NO_TRANSITIONS, transition, type Transitions } from "./transitions.ts";
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

/**
 * What a caller that decides every tick keeps for `decide` to write into: the actions record and the plan's cancel
 * and place lists, reused (the cycle holds one for its life: a quoting tick then makes none of them). The record is
 * still the whole decision, as data; it is good until the next `decide` with the same scratch.
 */
export interface DecideScratch {
  readonly actions: TickActions;
  readonly plan: OrderPlan;
  /** the quote decision (quote-record.ts) and the question computeQuotes is asked */
  readonly quote: QuoteRecord;
  readonly quoteInput: QuoteInput;
}

export const newDecideScratch = (): DecideScratch => ({
  actions: {
    state: "warming_up",
    reason: null,
    detail: null,
    quote: null,
    cancel: NO_ORDERS,
    keep: NO_ORDERS,
    place: NO_QUOTES,
    killSwitch: null,
    skipBid: null,
    skipAsk: null,
    transitions: NO_TRANSITIONS,
    alerts: NO_EVENTS,
  },
  plan: { cancel: [], place: [], keep: [] },
  quote: new QuoteRecord(),
  quoteInput: {
    nowMs: 0,
    topOfBook: { bestBid: NaN, bestAsk: NaN, ts: 0 },
    rules: { tickSize: NaN, lotSize: NaN, minNotional: NaN },
    indicators: null!,
    inventory: { base: 0, quote: 0 },
    marketType: "spot",
    params: null!,
    liquidationGuardPct: 0,
    makerFeeBps: 0,
  },
});

/** Standing aside: everything of ours is cancelled, nothing placed; both sides counted under `reason`. */
function aside(
  a: TickActions,
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
  a.state = state;
  a.reason = reason;
  a.detail = detail;
  a.quote = null;
  a.cancel = inp.open;
  a.keep = NO_ORDERS;
  a.place = NO_QUOTES;
  a.killSwitch = killSwitch;
  a.skipBid = skip;
  a.skipAsk = skip;
  a.transitions = transitions;
  a.alerts = alerts;
  return a;
}

/** The risk gate's question, one object rewritten each call (the gate reads it and keeps nothing). */
const gateState: RiskState = { killSwitch: false, nowMs: 0, bookTs: 0, natr: null, equity: 0, peakEquity: 0 };

/** The tick's actions, written into `scratch` (a fresh one when none is given). */
export function decide(inp: TickInputs, st: DecideState, scratch: DecideScratch = newDecideScratch()): TickActions {
  const now = inp.nowMs, equity = inp.equity, risk = inp.config.risk, a = scratch.actions;
  if (inp.paused) return aside(a, inp, inp.paused.state, inp.paused.reason, inp.paused.detail, st.transitions);

  const peakEquity = Math.max(st.peakEquity ?? equity, equity);
  const bookTs = inp.topOfBook.ts, natr = inp.indicators.natr, g = gateState;
  g.killSwitch = st.killSwitch, g.nowMs = now, g.bookTs = bookTs, g.natr = natr, g.equity = equity;
  g.peakEquity = peakEquity;
  const gate = riskGate(g, risk);
  if (!gate.ok && gate.reason === "kill_switch") {
    const trip = st.killSwitch
      ? null
      : { type: "kill_switch" as const, ts: now, drawdownPct: drawdownPct(equity, peakEquity), equity, peakEquity };
    // the tick that trips it pauses instead of standing aside: its quotes are counted from the next tick on
    return aside(a, inp, "killed", "kill_switch", gate.detail, st.transitions, NO_EVENTS, trip, false);
  }
  const staleBook = !gate.ok && gate.reason === "stale_book" ? gate.detail : null;
  const why = inp.ledgerFailing ??
    (gate.ok ? null : { state: "standing_aside" as const, reason: gate.reason, detail: gate.detail });
  if (why) {
    const t = transition(st.transitions, now, staleBook);
    return aside(a, inp, why.state, why.reason, why.detail, t, t.events);
  }

  const cfg = inp.config, q = scratch.quoteInput;
  q.nowMs = now, q.topOfBook = inp.topOfBook, q.rules = inp.rules, q.indicators = inp.indicators;
  q.inventory = inp.inventory, q.marketType = cfg.market.type, q.params = cfg.strategy;
  q.liquidationGuardPct = risk.liquidation_guard_pct, q.makerFeeBps = cfg.market.maker_fee_bps;
  const decision = computeQuotesInto(q, scratch.quote);
  if (decision.action !== "quote") {
    const stale = decision.reason === "stale_candles" ? decision.detail : undefined;
    const t = transition(st.transitions, now, null, stale);
    const state = inp.indicators.ready ? "standing_aside" : "warming_up";
    aside(a, inp, state, decision.reason, decision.detail, t, t.events);
    a.quote = decision;
    return a;
  }
  const t = transition(st.transitions, now, null, null, decision);
  const plan = planOrders(inp.open, decision, cfg.strategy.refresh_tolerance_bps, scratch.plan);
  const { bid, ask } = decision.skipped;
  a.state = "quoting";
  a.reason = bid?.reason ?? ask?.reason ?? null;
  a.detail = bid && ask ? `${bid.detail}; ${ask.detail}` : (bid ?? ask)?.detail ?? null;
  a.quote = decision;
  a.cancel = plan.cancel;
  a.keep = plan.keep;
  a.place = plan.place;
  a.killSwitch = null;
  a.skipBid = bid?.reason ?? null;
  a.skipAsk = ask?.reason ?? null;
  a.transitions = t;
  a.alerts = t.events;
  return a;
}
