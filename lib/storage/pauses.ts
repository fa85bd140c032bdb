/** The pause store's backend in the ledger: the pause, the kill switch and an account's peak equity (DESIGN §8). */
import type { PauseBackend } from "../core/pause.ts";
import type { Ledger } from "./ledger.ts";

export const ledgerPauses = (ledger: Ledger, accountId: number): PauseBackend => ({
  read: () => ({ paused: ledger.paused, detail: ledger.pauseDetail, killSwitch: ledger.killSwitch }),
  write(r) {
    ledger.paused = r.paused;
    ledger.pauseDetail = r.detail;
    ledger.killSwitch = r.killSwitch;
  },
  readPeakEquity: () => ledger.peakEquity(accountId),
  writePeakEquity: (equity) => ledger.setPeakEquity(accountId, equity),
});
