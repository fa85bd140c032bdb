/** What an engine is built from: the venue, the clock, and where its state is kept and recorded. */
import type { Portfolio } from "../core/accounting.ts";
import type { HeldBalances } from "../core/risk.ts";
import type { Clock } from "../core/types.ts";
import type { Config } from "../config/schema.ts";
import type { ExchangePort } from "../venues/port.ts";
import type { PauseBackend } from "./pause.ts";
import type { FundingOptions } from "./funding.ts";
import type { Sink } from "./recording.ts";

export interface EngineOptions {
  config: Config;
  exchange: ExchangePort;
  clock: Clock;
  /** where the pause, the kill switch and the peak equity are kept (the ledger); default: in memory */
  pauses?: PauseBackend;
  /** without `pauses`: start paused / with the kill switch tripped */
  paused?: boolean;
  killSwitch?: boolean;
  /** the durable record of every event (the ledger's recorder); a write that throws stops quoting */
  record?: Sink;
  /** removes secrets and signatures from error texts before they reach status, events and logs */
  scrub?: (text: string) => string;
  /**
   * The last fill already recorded. Given, start() collects every fill after it (those missed while
   * down); absent, fills the venue already has are taken as history and skipped.
   */
  lastTradeId?: string | null;
  /** the portfolio so far (rebuilt from the ledger); absent, it opens from the venue's balances at start */
  portfolio?: Portfolio;
  /**
   * The account's starting balances and their value at its start: what PnL and the kill switch's strategy basis
   * (risk.drawdown_basis) are measured against, so a restart measures on from the same origin (re-based at a restart,
   * the market's move while the account ran would read as the strategy's loss or gain against the kept peak);
   * absent, the balances at start.
   */
  held?: HeldBalances;
  /** perp: where funding comes from (rates, or the venue's payments); absent, none is booked */
  funding?: FundingOptions;
  /**
   * Written into every client order id after the prefix, so that ids never repeat across restarts on one account
   * and one ledger (DESIGN §12; the ledger keys orders by client id); absent, a fresh random one. A backtest passes
   * "": its paper exchange and its orders live and die with it, no ledger or venue outlives it, and its ids
   * (`mmbot-1`, `mmbot-2`, …) then stay short enough (< 13 characters) for V8 and JavaScriptCore to make them flat
   * strings rather than concatenations, which every comparison of ids reads faster.
   */
  runId?: string;
}
