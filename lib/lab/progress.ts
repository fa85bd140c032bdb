/**
 * The progress bar of `optimize` (on stderr, so stdout keeps only the report): share done, backtests, time
 * spent and the ETA, estimated from the pace so far.
 */

/** m:ss or h:mm:ss */
export function clock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, sec = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}

/** e.g. `[##########----------]  50 % 100/200 backtests, 0:30 spent, ETA 0:30` */
export function progressLine(done: number, total: number, elapsedMs: number, width = 30, unit = "backtests"): string {
  const share = total > 0 ? Math.min(1, done / total) : 0;
  const filled = Math.round(share * width);
  const eta = done > 0 ? clock(elapsedMs / done * (total - done)) : "…";
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${
    (share * 100).toFixed(0).padStart(3)
  } % ${done}/${total} ${unit}, ${clock(elapsedMs)} spent, ETA ${eta}`;
}

export interface ProgressSink {
  isTTY?: boolean;
  write(text: string): unknown;
}

/**
 * A bar redrawn in place on a terminal; elsewhere (a log file, CI) one line per tenth done, so a log shows
 * progress without thousands of lines.
 */
export function progressBar(out: ProgressSink, now: () => number = Date.now, unit = "backtests") {
  const start = now();
  let lastTenth = -1, lastDraw = 0;
  return {
    update(done: number, total: number) {
      const t = now();
      if (out.isTTY) {
        if (done < total && t - lastDraw < 100) return; // ten redraws a second are plenty
        lastDraw = t;
        out.write(`\r${progressLine(done, total, t - start, 30, unit)}`);
      } else {
        const tenth = total > 0 ? Math.floor(done / total * 10) : 0;
        if (tenth === lastTenth) return;
        lastTenth = tenth;
        out.write(`${progressLine(done, total, t - start, 30, unit)}\n`);
      }
    },
    end() {
      if (out.isTTY) out.write("\n");
    },
  };
}
