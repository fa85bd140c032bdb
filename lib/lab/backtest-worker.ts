/**
 * The lab's work in a worker thread, so the bot's own loop keeps quoting meanwhile: a backtest (/backtest:
 * the engine, the paper exchange and the PNG of the result) or a picture (/chart: SVG → PNG, which takes
 * 0.1–0.6 s for a day of ticks). One message in, one message out (the result, or the error's text).
 */
import { isMainThread } from "node:worker_threads";
import type { Config } from "../config/schema.ts";
import { messageOf } from "../core/format.ts";
import type { Candle } from "../core/types.ts";
import { type BacktestSummary, runBacktest } from "./backtest.ts";
import { backtestSvg } from "./chart.ts";
import { runMirroredBacktest } from "./mirror.ts";
import { svgToPng } from "./picture.ts";

export interface BacktestRequest {
  config: Config;
  candles: Candle[];
  title: string;
  /** also run the mirrored market and report edge_pct / directional_pct (DESIGN §14) */
  mirror?: boolean;
}

/** An SVG to render as PNG, `width` pixels wide. */
export interface PictureRequest {
  svg: string;
  width: number;
}

export type PictureResult = { ok: true; png: Uint8Array } | { ok: false; error: string };

/** Renders one picture (what the worker does for a PictureRequest). */
export async function renderRequest(req: PictureRequest): Promise<PictureResult> {
  try {
    return { ok: true, png: await svgToPng(req.svg, req.width) };
  } catch (e) {
    return { ok: false, error: messageOf(e) };
  }
}

export type BacktestResult =
  | { ok: true; summary: BacktestSummary; png: Uint8Array; ms: number; inWorker: boolean }
  | { ok: false; error: string };

/** Runs one request: what the worker does, also callable in-process (tests, and where workers are missing). */
export async function runRequest(req: BacktestRequest): Promise<BacktestResult> {
  const t0 = performance.now();
  try {
    const report = await (req.mirror ? runMirroredBacktest : runBacktest)(req.config, req.candles);
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
    onmessage: ((e: MessageEvent<BacktestRequest | PictureRequest>) => void) | null;
    postMessage: (m: BacktestResult | PictureResult) => void;
  };
  scope.onmessage = async (e) =>
    scope.postMessage("svg" in e.data ? await renderRequest(e.data) : await runRequest(e.data));
}
