/**
 * The operator's word and the bot's own guards, as the engine holds them: the pause (with who and
 * why), the kill switch and the drawdown's peak. Each change is written to the control store (the
 * ledger) before it takes effect in memory — except a pause, which takes effect at once in memory and
 * is written straight after, so a tick in progress stops placing even if the store fails.
 */
import { messageOf } from "../core/format.ts";
import type { EngineEvent, PauseSource } from "../core/events.ts";
import type { RiskLimits } from "../core/params.ts";
import type { QuoteDecision } from "../core/quoting.ts";
import { drawdownPct, type GateResult, riskGate } from "../core/risk.ts";
import type { ControlStore } from "./control.ts";
import type { EngineState, RunState } from "./status.ts";

export class Guards {
  /** the state shown while paused: by the kill switch, the error breaker, or anyone else */
  pausedState: EngineState = "paused";
  /** why the store could not record the last pause, null when it did */
  storeError: string | null = null;

  constructor(readonly store: ControlStore, readonly run: RunState, readonly scrub: (t: string) => string) {
    run.paused = store.paused;
    run.pauseReason = store.pauseReason;
    run.killSwitch = store.killSwitch;
  }

  /** Why we are not quoting while paused, or while the ledger (failing with `ledgerError`) cannot record. */
  why(ledgerError: string | null): string {
    if (this.run.paused) return this.run.pauseReason ?? "paused";
    return `the ledger cannot record (${ledgerError}); not quoting until it can`;
  }

  /**
   * Why this tick stands aside, as state, sentence and skip reason: a pause, a ledger that cannot record
   * (`ledgerError` set), the risk gate, or the strategy's own decision.
   */
  asideFor(
    gate: GateResult,
    decision: QuoteDecision | null,
    ready: boolean,
    ledgerError: string | null,
  ): [EngineState, string, string] {
    if (this.run.paused) return [this.pausedState, this.why(ledgerError), this.pausedCode];
    if (ledgerError !== null) return ["standing_aside", this.why(ledgerError), "ledger"];
    if (!gate.ok) return ["standing_aside", gate.detail, gate.reason];
    const aside = decision as Extract<QuoteDecision, { action: "stand_aside" }>;
    return [ready ? "standing_aside" : "warming_up", aside.reason, aside.code];
  }

  /** The pause as a skip reason: the kill switch, the error breaker or the operator's pause. */
  get pausedCode(): string {
    return this.pausedState === "killed" ? "kill_switch" : this.pausedState;
  }

  /** Paused by `source`, with the guard's `detail` (the drawdown, the last error). */
  pauseNow(source: PauseSource, detail?: string): void {
    const reason = source === "cli"
      ? "paused by the user"
      : detail === undefined
      ? `paused from ${source}`
      : `paused by the ${source.replace("_", " ")}: ${detail}`;
    const run = this.run;
    run.paused = true; // a tick in progress stops placing at once
    run.pauseReason = reason;
    this.pausedState = source === "kill_switch" ? "killed" : source === "error_breaker" ? "error_breaker" : "paused";
    try {
      this.store.paused = true;
      this.store.pauseReason = reason;
      this.storeError = null;
    } catch (e) {
      this.storeError = this.scrub(messageOf(e));
    }
  }

  /** Clears the pause and the kill switch, store first (throws, staying paused, when it cannot). */
  resume(equityNow: number | null): void {
    const run = this.run, s = this.store;
    const rebase = run.killSwitch && equityNow !== null;
    if (rebase) s.peakEquity = equityNow; // the drawdown is measured afresh from here
    s.killSwitch = false;
    s.paused = false;
    s.pauseReason = null;
    if (rebase) run.peakEquity = equityNow;
    run.paused = false;
    run.pauseReason = null;
    run.killSwitch = false;
    this.pausedState = "paused";
  }

  tripKillSwitch(ts: number, equity: number): Extract<EngineEvent, { type: "kill_switch" }> {
    this.run.killSwitch = true;
    try {
      this.store.killSwitch = true;
    } catch { /* the pause that follows reports the store's failure */ }
    const peakEquity = this.run.peakEquity;
    return { type: "kill_switch", ts, drawdownPct: drawdownPct(equity, peakEquity), equity, peakEquity };
  }

  /** Whether this tick may quote: a new peak is kept first, then the risk gate on the run's state. */
  gate(nowMs: number, bookTs: number, natr: number | null, equity: number, risk: RiskLimits): GateResult {
    this.notePeak(equity);
    const { paused, killSwitch, peakEquity } = this.run;
    return riskGate({ paused, killSwitch, nowMs, bookTs, natr, equity, peakEquity }, risk);
  }

  /** A new peak of equity is kept, so a restart does not reset the drawdown budget. */
  notePeak(equity: number): void {
    if (!(equity > this.run.peakEquity)) return;
    this.run.peakEquity = equity;
    try {
      this.store.peakEquity = equity;
    } catch { /* kept in memory; the ledger's failure shows where it records events */ }
  }
}
