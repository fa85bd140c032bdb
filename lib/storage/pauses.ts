/** The pause store's backend in the ledger: the pause, the kill switch and an account's peak equity (DESIGN §8). */
import type { PauseBackend } from "../core/pause.ts";
import type { Ledger } from "./ledger.ts";

export const ledgerPauses = (ledger: Ledger, accountId: number): PauseBackend => ({
  read: () => ({ paused: ledger.paused, detail: ledger.pauseDetail, killSwitch: ledger.killSwitch }),
  write(r) {
    // the flag that matters last on a resume and first on a pause: a write that fails half-way leaves it paused
    if (r.paused) ledger.paused = true;
    ledger.pauseDetail = r.detail;
    ledger.killSwitch = r.killSwitch;
    if (!r.paused) ledger.paused = false;
  },
  readPeakEquity: () => ledger.peakEquity(accountId),
  writePeakEquity: (equity) => ledger.setPeakEquity(accountId, equity),
});
