/**
 * The lab's work off the trading loop, in worker threads (lib/lab/backtest-worker.ts): /backtest one at a
 * time (a second request while one runs is refused with what is running), and /chart's rendering.
 */
import type { BacktestRequest, BacktestResult, PictureRequest, PictureResult } from "../lab/backtest-worker.ts";

const WORKER = new URL("../lab/backtest-worker.ts", import.meta.url).href;

/** Posts one message to a fresh worker and resolves with its answer (or the worker's failure). */
function inWorker<R>(message: unknown, fail: (error: string) => R, started?: (w: Worker) => void): Promise<R> {
  const worker = new Worker(WORKER, { type: "module" });
  started?.(worker);
  return new Promise<R>((resolve) => {
    worker.onmessage = (e: MessageEvent<R>) => resolve(e.data);
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault?.();
      resolve(fail(e.message || "the lab's worker failed"));
    };
    worker.postMessage(message);
  }).finally(() => worker.terminate());
}

/** SVG → PNG in a worker: a day of ticks takes 0.1–0.6 s to render, too long to hold the loop. */
export async function renderOffThread(svg: string, width: number): Promise<Uint8Array> {
  const r = await inWorker<PictureResult>({ svg, width } satisfies PictureRequest, (error) => ({ ok: false, error }));
  if (!r.ok) throw new Error(r.error);
  return r.png;
}

export class Busy extends Error {
  constructor(readonly running: string, readonly sinceMs: number) {
    super(`a backtest is already running (${running}, for ${Math.round(sinceMs / 1000)} s)`);
    this.name = "Busy";
  }
}

export class BacktestJob {
  #running: { what: string; startedAt: number; worker: Worker | null; cancel?: () => void } | null = null;

  get running(): boolean {
    return this.#running !== null;
  }

  /** Claims the one slot for `what` (throws Busy); the claim ends with `run` or `release`. */
  claim(what: string): void {
    if (this.#running) throw new Busy(this.#running.what, Date.now() - this.#running.startedAt);
    this.#running = { what, startedAt: Date.now(), worker: null };
  }

  release(): void {
    const running = this.#running;
    this.#running = null;
    running?.worker?.terminate();
    running?.cancel?.(); // a run waiting on the worker ends now
  }

  /** Runs `req` in a fresh worker and releases the slot; needs a claim first. */
  async run(req: BacktestRequest): Promise<BacktestResult> {
    const running = this.#running;
    if (!running) throw new Error("BacktestJob.run without a claim");
    try {
      return await new Promise<BacktestResult>((resolve) => {
        running.cancel = () => resolve({ ok: false, error: "stopped: the bot is shutting down" });
        inWorker<BacktestResult>(req, (error) => ({ ok: false, error }), (w) => (running.worker = w)).then(resolve);
      });
    } finally {
      if (this.#running === running) this.release(); // not a newer claim made after a stop
    }
  }

  /** Stops a running backtest (shutdown). */
  stop(): void {
    this.release();
  }
}
