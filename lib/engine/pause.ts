/**
 * The pause store: the one owner of the operator's word and the guards' state — paused (by whom, why), the kill
 * switch and the drawdown's peak equity. It keeps them where they outlive the process (the ledger, in a running bot)
 * and notices a pause or resume written there by someone else (`mmbot pause` from a shell). A pause takes effect in
 * memory at once (a tick in progress stops placing even if the write fails) and is written straight after; a resume
 * is written first and takes effect only once written.
 */
import { messageOf } from "../core/format.ts";
import type { PauseSource } from "../core/events.ts";
import { type PauseBackend, pauseDetail, type PauseRecord } from "../core/pause.ts";
import type { Halt } from "../core/decide.ts";

export { type PauseBackend, pauseDetail };

/** A backend in memory: backtests and tests, where nothing outlives the process. */
export function memoryPauses(paused = false, killSwitch = false): PauseBackend & { peakEquity: number | null } {
  let record: PauseRecord = { paused, detail: paused ? pauseDetail("cli") : null, killSwitch };
  return {
    peakEquity: null,
    read: () => ({ ...record }),
    write(r) {
      record = { ...r };
    },
    readPeakEquity() {
      return this.peakEquity;
    },
    writePeakEquity(equity) {
      this.peakEquity = equity;
    },
  };
}

/** How a pause shows as the engine's state: by the kill switch, the error breaker, or anyone else. */
export type PausedState = "paused" | "killed" | "error_breaker";

export class PauseStore {
  readonly #backend: PauseBackend;
  #record: PauseRecord;
  #state: PausedState = "paused";
  /** a write that failed: retried before anything is read back, so our own pause never reads as a resume */
  #unwritten = false;
  #peakEquity: number | null;
  /** why the last write failed, null when it did not */
  writeError: string | null = null;

  constructor(backend: PauseBackend) {
    this.#backend = backend;
    this.#record = backend.read();
    this.#peakEquity = backend.readPeakEquity();
  }

  get paused(): boolean {
    return this.#record.paused;
  }

  get killSwitch(): boolean {
    return this.#record.killSwitch;
  }

  /** why it is paused, null when it is not */
  get detail(): string | null {
    return this.#record.paused ? this.#record.detail ?? pauseDetail("cli") : null;
  }

  /** the engine's state while paused */
  get state(): PausedState {
    return this.#state;
  }

  /** the pause as a skip reason: the kill switch, the error breaker or the operator's pause */
  get reason(): string {
    return this.#state === "killed" ? "kill_switch" : this.#state;
  }

  /** The pause as a reason not to quote, or null (one object per pause: read every tick). */
  get halt(): Halt | null {
    const r = this.#record;
    if (!r.paused) return null;
    const h = this.#halt, detail = this.detail!;
    if (h?.state === this.#state && h.detail === detail) return h;
    return this.#halt = { state: this.#state, reason: this.reason, detail };
  }
  #halt: Halt | null = null;

  /** the highest equity seen (kept, so a restart does not reset the drawdown budget); null before the first */
  get peakEquity(): number | null {
    return this.#peakEquity;
  }

  /** Paused by `source` (a guard gives its `detail`): in memory at once, then written; a failed write is kept. */
  pause(source: PauseSource, detail?: string): void {
    this.#state = source === "kill_switch" ? "killed" : source === "error_breaker" ? "error_breaker" : "paused";
    this.#record = { ...this.#record, paused: true, detail: pauseDetail(source, detail) };
    if (source === "kill_switch") this.#record.killSwitch = true;
    this.#write();
  }

  /**
   * Clears the pause and the kill switch: written first (throws, staying paused, when it cannot); after a tripped
   * kill switch the drawdown is measured afresh from `equityNow`.
   */
  resume(equityNow: number | null): void {
    const rebase = this.#record.killSwitch && equityNow !== null;
    if (rebase) this.#backend.writePeakEquity(equityNow);
    const next = { paused: false, detail: null, killSwitch: false };
    this.#backend.write(next);
    this.#record = next;
    this.#unwritten = false;
    this.writeError = null;
    this.#state = "paused";
    if (rebase) this.#peakEquity = equityNow;
  }

  /** At start: the kept peak, at least these (the account's starting equity, the equity now); in memory only. */
  startPeak(...equities: number[]): void {
    this.#peakEquity = Math.max(this.#backend.readPeakEquity() ?? 0, ...equities);
  }

  /** A new peak of equity is kept (in memory even when the write fails; the ledger's failure shows elsewhere). */
  notePeak(equity: number): void {
    if (!(equity > (this.#peakEquity ?? -Infinity))) return;
    this.#peakEquity = equity;
    try {
      this.#backend.writePeakEquity(equity);
    } catch { /* kept in memory */ }
  }

  /**
   * A pause or resume written elsewhere since we last looked (`mmbot pause` / `resume` from a shell): a pause is
   * adopted with its detail; a resume is returned for the engine to carry out (`resume`, which also clears the kill
   * switch and needs the equity now). Null when nothing changed.
   */
  changedElsewhere(): "paused" | "resumed" | null {
    if (this.#unwritten && !this.#write()) return null; // ours is not written yet: the backend is behind us
    const r = this.#backend.read();
    if (r.paused === this.#record.paused) return null;
    if (!r.paused) return "resumed";
    this.#record = r;
    this.#state = "paused"; // as after a restart: who paused is in the detail
    return "paused";
  }

  #write(): boolean {
    try {
      this.#backend.write(this.#record);
      this.#unwritten = false;
      this.writeError = null;
      return true;
    } catch (e) {
      this.#unwritten = true;
      this.writeError = messageOf(e);
      return false;
    }
  }
}
