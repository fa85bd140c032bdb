/**
 * /backtest's runner: one backtest at a time, in a worker thread (lib/lab/backtest-worker.ts), so the
 * trading loop never waits for it. A second request while one runs is refused with what is running.
 */
import type { BacktestRequest, BacktestResult } from "../lab/backtest-worker.ts";

export class Busy extends Error {
  constructor(readonly running: string, readonly sinceMs: number) {
    super(`a backtest is already running (${running}, for ${Math.round(sinceMs / 1000)} s)`);
    this.name = "Busy";
  }
}

export class BacktestJob {
  #running: { what: string; startedAt: number; worker: Worker | null } | null = null;

  get running(): boolean {
    return this.#running !== null;
  }

  /** Claims the one slot for `what` (throws Busy); the claim ends with `run` or `release`. */
  claim(what: string): void {
    if (this.#running) throw new Busy(this.#running.what, Date.now() - this.#running.startedAt);
    this.#running = { what, startedAt: Date.now(), worker: null };
  }

  release(): void {
    this.#running?.worker?.terminate();
    this.#running = null;
  }

  /** Runs `req` in a fresh worker and releases the slot; needs a claim first. */
  async run(req: BacktestRequest): Promise<BacktestResult> {
    if (!this.#running) throw new Error("BacktestJob.run without a claim");
    try {
      const worker = new Worker(new URL("../lab/backtest-worker.ts", import.meta.url).href, { type: "module" });
      this.#running.worker = worker;
      return await new Promise<BacktestResult>((resolve) => {
        worker.onmessage = (e: MessageEvent<BacktestResult>) => resolve(e.data);
        worker.onerror = (e: ErrorEvent) => {
          e.preventDefault?.();
          resolve({ ok: false, error: e.message || "the backtest worker failed" });
        };
        worker.postMessage(req);
      });
    } finally {
      this.release();
    }
  }

  /** Stops a running backtest (shutdown). */
  stop(): void {
    this.release();
  }
}
