/**
 * RSS of a live spot bot (DESIGN §11: ≤ 120 MB; issue 23: ≤ 100 MB steady) against the local Binance stand-in
 * (tests/fakes/binance.ts, real ccxt over 127.0.0.1), under Deno and Bun, printed as one JSON line:
 * `{ deno: { steadyMb, peakMb, quotes }, bun: … }`. Steady: the median VmRSS over the second half of the watch;
 * peak: VmHWM at its end (/proc, Linux). Run alone or from bench.ts:
 *
 *   deno run -A bench/live.ts [--seconds S] [--root DIR] [--runtimes deno,bun]
 *   (S: how long to watch, default 60; DIR: the checkout to run, default this one)
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import { join, resolve } from "node:path";
import { API_KEY, API_SECRET, FakeBinance } from "../tests/fakes/binance.ts";

const argv = Deno.args;
const seconds = Number(argv.includes("--seconds") ? argv[argv.indexOf("--seconds") + 1] : 60);
const root = resolve(
  argv.includes("--root") ? argv[argv.indexOf("--root") + 1] : new URL("..", import.meta.url).pathname,
);
if (!(seconds >= 10)) {
  console.error("bench/live: --seconds needs a number ≥ 10");
  Deno.exit(2);
}

function procKb(pid: number, field: "VmHWM" | "VmRSS"): number {
  try {
    return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
  } catch {
    return 0;
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function liveRun(rt: "deno" | "bun"): Promise<{ steadyMb: number; peakMb: number; quotes: number }> {
  const fake = new FakeBinance("spot").start();
  const dir = mkdtempSync(join(os.tmpdir(), "mmbot-bench-live-"));
  const sets = ["mode=live", "feed.source=live", `market.rest_url=${fake.url}`, "http.port=0"];
  sets.push(`storage.path=${dir}/live.sqlite`);
  const args = sets.flatMap((s) => ["--set", s]);
  const [cmd, cmdArgs] = rt === "deno"
    ? [Deno.execPath(), ["run", "-P", "mod.ts", ...args]]
    : ["bun", ["mod.ts", ...args]];
  const child = spawn(cmd, cmdArgs, {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...Deno.env.toObject(), EXCHANGE_API_KEY: API_KEY, EXCHANGE_API_SECRET: API_SECRET },
  });
  const exited = new Promise((r) => child.on("exit", r));
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  try {
    const t0 = performance.now();
    while (!out.includes("| bid ")) {
      if (performance.now() - t0 > 60_000 || child.exitCode !== null) throw new Error(`${rt}: no quote:\n${out}`);
      await sleep(20);
    }
    const samples: number[] = [];
    for (let s = 1; s <= seconds; s++) {
      await sleep(Math.max(0, t0 + s * 1000 - performance.now()));
      if (child.exitCode !== null) throw new Error(`${rt}: the live run ended after ${s} s:\n${out}`);
      if (s > seconds / 2) samples.push(procKb(child.pid!, "VmRSS") / 1024);
    }
    const peakMb = procKb(child.pid!, "VmHWM") / 1024;
    return { steadyMb: median(samples), peakMb, quotes: out.split("| bid ").length - 1 };
  } finally {
    child.kill("SIGTERM");
    await Promise.race([exited, sleep(10_000)]);
    if (child.exitCode === null) child.kill("SIGKILL");
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const result: Record<string, unknown> = {};
const runtimes = (argv.includes("--runtimes") ? argv[argv.indexOf("--runtimes") + 1] : "deno,bun").split(",");
for (const rt of runtimes) result[rt] = await liveRun(rt === "bun" ? "bun" : "deno");
console.log(JSON.stringify(result));
