/**
 * The tick's call to the pure `decide` (core/decide.ts), with what it reads (the inputs, the state held) and what it
 * writes (the actions, the plan's lists) kept here for the cycle's life and rewritten each tick: a quoting tick then
 * makes none of these objects. The cycle fills `inputs` and `held` and calls `decide` at once; nothing else does.
 */
import {
  decide,
  type DecideScratch,
  type DecideState,
  newDecideScratch,
  type TickActions,
  type TickInputs,
} from "../core/decide.ts";
import type { IndicatorSnapshot } from "../core/indicators.ts";
import { NO_TRANSITIONS } from "../core/transitions.ts";

export class TickDecider {
  readonly inputs: TickInputs;
  readonly held: DecideState = { killSwitch: false, peakEquity: null, transitions: NO_TRANSITIONS };
  readonly #scratch: DecideScratch = newDecideScratch();

  constructor(config: TickInputs["config"], indicators: IndicatorSnapshot) {
    this.inputs = {
      nowMs: 0,
      topOfBook: { bestBid: NaN, bestAsk: NaN, ts: 0 },
      rules: { tickSize: NaN, lotSize: NaN, minNotional: NaN },
      indicators,
      inventory: { base: 0, quote: 0 },
      equity: 0,
      open: [],
      paused: null,
      ledgerFailing: null,
      config,
    };
  }

  /** This tick's actions: good until the next call (the cycle carries them out and folds them first). */
  decide(): TickActions {
    return decide(this.inputs, this.held, this.#scratch);
  }
}
