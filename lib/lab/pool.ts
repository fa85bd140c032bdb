/**
 * The worker pool of `optimize`: one Web Worker per core, each holding the candle files, each taking the next
 * queued backtest as soon as it is free. Web Workers exist on Deno and Bun alike (no node:worker_threads).
 */
import type { Candle } from "../core/types.ts";
import type { Config } from "../config/schema.ts";
import type { Figures, ObjectiveOptions } from "./objective.ts";
import type { Window } from "./walk-forward.ts";
import type { ToWorker } from "./optimize-worker.ts";

type Reply = { id: number; figures: Figures } | { id: number; error: string };

interface Job {
  id: number;
  config: Config;
  window: Window;
  resolve: (f: Figures) => void;
  reject: (e: Error) => void;
}

export class WorkerPool {
  readonly #workers: Worker[] = [];
  readonly #idle: Worker[] = [];
  readonly #queue: Job[] = [];
  readonly #running = new Map<number, Job>();
  #nextId = 0;
  #failure: Error | null = null;

  constructor(size: number, files: Candle[][], readonly objective: ObjectiveOptions) {
    for (let i = 0; i < size; i++) {
      const worker = new Worker(new URL("./optimize-worker.ts", import.meta.url).href, { type: "module" });
      worker.onmessage = (e: MessageEvent<Reply>) => this.#done(worker, e.data);
      worker.onerror = (e: ErrorEvent) => {
        e.preventDefault?.();
        this.#fail(new Error(`optimize worker failed: ${e.message}`));
      };
      worker.postMessage({ type: "files", files } satisfies ToWorker);
      this.#workers.push(worker);
      this.#idle.push(worker);
    }
  }

  get size(): number {
    return this.#workers.length;
  }

  /** Queues one backtest; resolves with its figures. */
  evaluate = (config: Config, window: Window): Promise<Figures> => {
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#queue.push({ id: this.#nextId++, config, window, resolve, reject });
      this.#pump();
    });
  };

  close(): void {
    for (const w of this.#workers) w.terminate();
  }

  #pump(): void {
    while (this.#idle.length && this.#queue.length) {
      const worker = this.#idle.pop()!, job = this.#queue.shift()!;
      this.#running.set(job.id, job);
      worker.postMessage(
        {
          type: "task",
          id: job.id,
          config: job.config,
          window: job.window,
          objective: this.objective,
        } satisfies ToWorker,
      );
    }
  }

  #done(worker: Worker, reply: Reply): void {
    const job = this.#running.get(reply.id);
    this.#running.delete(reply.id);
    this.#idle.push(worker);
    if (job) {
      if ("error" in reply) job.reject(new Error(reply.error));
      else job.resolve(reply.figures);
    }
    this.#pump();
  }

  #fail(e: Error): void {
    this.#failure = e;
    for (const job of [...this.#running.values(), ...this.#queue]) job.reject(e);
    this.#running.clear();
    this.#queue.length = 0;
  }
}
