/**
 * A worker of `optimize`: holds the candle files once, then backtests and scores one (candidate, window) per
 * message. Web Worker API only, so it runs on Deno and Bun alike. It imports the lab and below, never ccxt or
 * grammY.
 */
import type { Candle } from "../core/types.ts";
import { messageOf } from "../core/format.ts";
import type { Config } from "../config/schema.ts";
import type { ObjectiveOptions } from "./objective.ts";
import { evaluateWindow, type Window } from "./walk-forward.ts";

/** from the pool: the files first, then tasks */
export type ToWorker =
  | { type: "files"; files: Candle[][] }
  | { type: "task"; id: number; config: Config; window: Window; objective: ObjectiveOptions };

const port = globalThis as unknown as {
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
  postMessage(message: unknown): void;
};

let files: Candle[][] = [];
port.onmessage = async (e) => {
  const m = e.data;
  if (m.type === "files") {
    files = m.files;
    return;
  }
  try {
    const figures = await evaluateWindow(m.config, files[m.window.file], m.window, m.objective);
    port.postMessage({ id: m.id, figures });
  } catch (err) {
    port.postMessage({ id: m.id, error: messageOf(err) });
  }
};
