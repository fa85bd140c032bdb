/**
 * `deno task bench`: backtest throughput, per-tick latency, time to first quote and idle RSS
 * (DESIGN §11). Prints one line per figure with its target.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import { runBacktest } from "../lib/lab/backtest.ts";
import { ManualClock } from "../lib/engine/clock.ts";
import { buildConfig } from "../lib/config/validate.ts";
import { Engine } from "../lib/engine/engine.ts";
import { CANDLE_MS } from "../lib/core/types.ts";
import { requiredCandles } from "../lib/core/indicators.ts";
import { PaperExchange } from "../lib/venues/paper.ts";
import { loadCandleFile, ReplayFeed } from "../lib/venues/replay-feed.ts";

const MONTH = "../shared/data/binance_spot_ETHUSDT_1m_20240726_20240825.csv";
const config = buildConfig({});
const line = (name: string, value: string, target: string) =>
  console.log(`${name.padEnd(34)} ${value.padStart(14)}   (target ${target})`);

console.log(
  `mmbot bench on ${os.cpus().length} × ${os.cpus()[0]?.model ?? "?"}, ${
    Deno.version ? `Deno ${Deno.version.deno}` : ""
  }`,
);

// 1. backtest throughput: 30 days of 1m candles, 15 s ticks
{
  let t = performance.now();
  const candles = loadCandleFile(MONTH);
  const parseMs = performance.now() - t;
  await runBacktest(config, candles.slice(0, 5000)); // warm the JIT
  t = performance.now();
  const { summary } = await runBacktest(config, candles);
  const ms = performance.now() - t;
  line("30-day backtest", `${(ms / 1000).toFixed(3)} s`, "≤ 1 s");
  console.log(
    `  ${summary.ticks} ticks, ${summary.fills} fills, ${(summary.ticks / ms * 1000).toFixed(0)} ticks/s; CSV parse ${
      parseMs.toFixed(0)
    } ms`,
  );
}

// 2. per-tick latency of the whole engine cycle against the paper exchange
{
  const candles = loadCandleFile(MONTH).slice(0, 20_000);
  const feed = new ReplayFeed(candles, config.market.tick_size);
  const start = candles[0].ts + requiredCandles(config.strategy) * CANDLE_MS;
  const clock = new ManualClock(start);
  const engine = new Engine({ config, exchange: new PaperExchange(feed, clock, config), clock });
  await engine.start();
  const samples: number[] = [];
  for (let i = 0; i < 60_000; i++) {
    clock.advance(15_000);
    const t = performance.now();
    await engine.tick();
    if (i > 2000) samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  const q = (p: number) => samples[Math.floor(p * (samples.length - 1))] * 1000;
  line("tick compute p50", `${q(0.5).toFixed(1)} µs`, "—");
  line("tick compute p99", `${q(0.99).toFixed(1)} µs`, "≤ 100 µs");
}

// 3. and 4. a real bot process: time to first quote, then idle RSS
{
  const t = performance.now();
  const ledger = `${Deno.makeTempDirSync()}/bench.sqlite`;
  const child = spawn(Deno.execPath(), [
    "run",
    "-P",
    "mod.ts",
    "--set",
    "http.port=0",
    "--set",
    `storage.path=${ledger}`,
  ], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no quote within 30 s:\n${out}`)), 30_000);
    child.stdout!.on("data", (d) => {
      out += d;
      if (out.includes("| bid ")) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  line("time to first quote", `${((performance.now() - t) / 1000).toFixed(3)} s`, "≤ 2 s");
  await new Promise((r) => setTimeout(r, 5000)); // idle between ticks
  const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  line("idle RSS (Deno)", `${(rssKb / 1024).toFixed(0)} MB`, "≤ 150 MB");
  child.kill("SIGTERM");
  await new Promise((r) => child.on("exit", r));
}
