/**
 * A backtest in a worker thread (/backtest from Telegram): the engine, the paper exchange and the PNG
 * rendering run here, so the bot's own loop keeps quoting meanwhile. One message in (config, candles,
 * title), one message out (the summary and the chart as PNG, or the error's text).
 */
import { isMainThread } from "node:worker_threads";
import type { Config } from "../config/schema.ts";
import { messageOf } from "../core/format.ts";
import type { Candle } from "../core/types.ts";
import { type BacktestSummary, runBacktest } from "./backtest.ts";
import { backtestSvg } from "./chart.ts";
import { svgToPng } from "./picture.ts";

export interface BacktestRequest {
  config: Config;
  candles: Candle[];
  title: string;
}

export type BacktestResult =
  | { ok: true; summary: BacktestSummary; png: Uint8Array; ms: number; inWorker: boolean }
  | { ok: false; error: string };

/** Runs one request: what the worker does, also callable in-process (tests, and where workers are missing). */
export async function runRequest(req: BacktestRequest): Promise<BacktestResult> {
  const t0 = performance.now();
  try {
    const report = await runBacktest(req.config, req.candles);
    const png = await svgToPng(backtestSvg(report.series, report.fills, req.title), 1000);
    return { ok: true, summary: report.summary, png, ms: performance.now() - t0, inWorker };
  } catch (e) {
    return { ok: false, error: messageOf(e) };
  }
}

// as a worker, answer the request; the parent terminates us. Bun says so through node:worker_threads,
// Deno through the worker scope's globals.
const inWorker = !isMainThread || "WorkerGlobalScope" in globalThis || "DedicatedWorkerGlobalScope" in globalThis;
if (inWorker) {
  const scope = globalThis as unknown as {
    onmessage: ((e: MessageEvent<BacktestRequest>) => void) | null;
    postMessage: (m: BacktestResult) => void;
  };
  scope.onmessage = async (e) => scope.postMessage(await runRequest(e.data));
}
