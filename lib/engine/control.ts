/**
 * Where the operator's word and the guards' state are kept (the ledger, in a running bot): written
 * before they act, read back at start, so a pause, a tripped kill switch and the drawdown's peak
 * survive a restart. A write that throws leaves the engine paused in memory and says so.
 */
export interface ControlStore {
  paused: boolean;
  /** why it is paused, for status screens and the next start ("paused by telegram", …) */
  pauseReason: string | null;
  killSwitch: boolean;
  /** the drawdown's reference equity; null before the first */
  peakEquity: number | null;
}

/** A store in memory: backtests and tests, where nothing outlives the process. */
export const memoryStore = (paused = false, killSwitch = false): ControlStore => ({
  paused,
  pauseReason: paused ? "paused" : null,
  killSwitch,
  peakEquity: null,
});
