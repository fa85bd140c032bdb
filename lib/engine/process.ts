/**
 * The process's own figures — resident memory, heap, CPU seconds, open descriptors, start time and the
 * event loop's lag — read the same way on Deno and Bun (node:process, /proc on Linux), for /metrics and /status.
 */
import process from "node:process";
import { readdirSync, readFileSync } from "node:fs";
import { setInterval as interval } from "node:timers";

export interface ProcessFigures {
  /** resident set size, bytes */
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  /** memory held outside the JS heap (buffers, native objects), bytes */
  externalBytes: number;
  /** user + system CPU time since start, seconds */
  cpuSeconds: number;
  /** Linux only (/proc/self/fd), else null */
  openFds: number | null;
  /** the soft limit on open descriptors (Linux only), else null */
  maxFds: number | null;
  /** wall-clock start of the process, seconds since the epoch */
  startTimeS: number;
  uptimeS: number;
  /** how late the last lag probe's timer fired, seconds; null before the first one */
  eventLoopLagS: number | null;
  /** the largest lag over the last minute, seconds */
  eventLoopLagMaxS: number | null;
}

const LAG_WINDOW_MS = 60_000;

export class ProcessProbe {
  /** wall-clock start, ms (the runtime's own count of how long the process has lived) */
  readonly startedAtMs = Date.now() - process.uptime() * 1000;
  #lags: { at: number; lagS: number }[] = [];
  #timer: ReturnType<typeof interval> | null = null;

  /** `sampleMs`: how often a timer checks how late it fires (a blocked loop shows up as lag). */
  constructor(readonly sampleMs = 500) {}

  /**
   * Starts the lag probe; it never keeps the process alive. One interval timer for the process's life, not a
   * fresh timeout per sample: each lived half a second, long enough to reach the old generation and die there.
   */
  start(): this {
    if (this.#timer) return this;
    let due = performance.now() + this.sampleMs;
    this.#timer = interval(() => {
      const now = performance.now();
      this.#lags.push({ at: now, lagS: Math.max(0, now - due) / 1000 });
      while (this.#lags.length && this.#lags[0].at < now - LAG_WINDOW_MS) this.#lags.shift();
      due = now + this.sampleMs; // the next firing is due one period after this one ran
    }, this.sampleMs);
    this.#timer.unref?.();
    return this;
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  read(): ProcessFigures {
    const mem = process.memoryUsage();
    const cpu = process.cpuUsage();
    const last = this.#lags.at(-1);
    return {
      rssBytes: mem.rss,
      heapUsedBytes: mem.heapUsed,
      heapTotalBytes: mem.heapTotal,
      externalBytes: mem.external,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      openFds: openFds(),
      maxFds: maxFds(),
      startTimeS: this.startedAtMs / 1000,
      uptimeS: process.uptime(),
      eventLoopLagS: last?.lagS ?? null,
      eventLoopLagMaxS: last ? Math.max(...this.#lags.map((l) => l.lagS)) : null,
    };
  }
}

function openFds(): number | null {
  try {
    return readdirSync("/proc/self/fd").length - 1; // the listing's own descriptor
  } catch {
    return null; // not Linux
  }
}

function maxFds(): number | null {
  try {
    const soft = /^Max open files\s+(\d+)/m.exec(readFileSync("/proc/self/limits", "utf8"))?.[1];
    return soft === undefined ? null : Number(soft);
  } catch {
    return null;
  }
}

/** "84 MB" — memory as a person reads it (MiB, whole). */
export const megabytes = (bytes: number): string => `${Math.round(bytes / 1048576)} MB`;

/** "3 d 4 h", "2 h 5 min", "42 s" — uptime as a person reads it. */
export function duration(seconds: number): string {
  const s = Math.floor(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}
