/**
 * The pause as it is kept where it survives a restart: the record, the interface of where it is kept (the ledger
 * implements it, lib/storage/pauses.ts), and the one sentence each source of a pause writes. Pure.
 */
import type { PauseSource } from "./events.ts";

/** What is kept of the pause where it survives a restart. */
export interface PauseRecord {
  paused: boolean;
  /** the sentence shown while paused ("paused from telegram", "paused by the kill switch: …"); null when not */
  detail: string | null;
  killSwitch: boolean;
}

/** Where the pause survives a restart (the ledger); reads see writes made by other processes. */
export interface PauseBackend {
  read(): PauseRecord;
  write(r: PauseRecord): void;
  /** the drawdown's reference equity; null before the first */
  readPeakEquity(): number | null;
  writePeakEquity(equity: number): void;
}

/** One sentence per source: the same text wherever the pause was made (a shell, Telegram, HTTP, a guard). */
export function pauseDetail(source: PauseSource, detail?: string): string {
  if (source === "kill_switch" || source === "error_breaker") {
    return `paused by the ${source.replace("_", " ")}${detail === undefined ? "" : `: ${detail}`}`;
  }
  return source === "cli" ? "paused from the command line" : `paused from ${source}`;
}
