/**
 * `deno task bench`: every figure of DESIGN §11 with its target, on Deno and on Bun side by side.
 *
 *   deno task bench [--paper-minutes N] [--skip-optimizer] [--skip-paper] [--skip-live]
 *   (N: how long to watch the paper run's memory; default 10)
 *   deno task bench --soak [--soak-minutes M]
 *   (only the soak: the default paper run for M wall minutes, default 30, at speed 600 on Deno and, side by
 *   side, on Bun when installed — about 12 days of market time with the ledger writing — RSS and JS heap each
 *   minute and the ledger's bytes per market day)
 *
 * In-process figures come from bench/core.ts run under each runtime; whole-process figures from the real
 * commands (`mod.ts backtest`, the default paper run), their peak memory from /proc (Linux).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cachePathOf } from "../lib/venues/candle-cache.ts";
import os from "node:os";
import { join } from "node:path";
import { benchCsv, DAYS_35, MONTH } from "./data.ts";

const PAPER_DATA = benchCsv(MONTH);
const MONTH_35D = benchCsv(DAYS_35);
const argv = Deno.args;
const paperMinutes = Number(argv[argv.indexOf("--paper-minutes") + 1] || 10);
if (argv.includes("--paper-minutes") && !(paperMinutes >= 2)) {
  console.error("bench: --paper-minutes needs a number of minutes ≥ 2");
  Deno.exit(2);
}

type Runtime = "deno" | "bun";
const RUNTIMES: Runtime[] = ["deno", "bun"];
const command = (rt: Runtime, script: string, args: string[]) =>
  rt === "deno" ? [Deno.execPath(), ["run", "-P", script, ...args]] as const : ["bun", [script, ...args]] as const;
const hasBun = await new Promise<boolean>((resolve) => {
  const p = spawn("bun", ["--version"], { stdio: "ignore" });
  p.on("error", () => resolve(false));
  p.on("exit", (code) => resolve(code === 0));
});

interface Ran {
  wallMs: number;
  /** CPU time of the process, all its threads (workers too), as last polled before it exited */
  cpuMs: number;
  peakMb: number;
  out: string;
  code: number;
}

/** Runs a command to its end; wall time, CPU time and peak RSS (VmHWM) polled from /proc, and stdout. */
function run(cmd: string, args: string[]): Promise<Ran> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "", peakKb = 0, cpuMs = 0;
    child.stdout!.on("data", (d) => (out += d));
    child.stderr!.on("data", () => {});
    const poll = setInterval(() => {
      peakKb = Math.max(peakKb, procKb(child.pid!, "VmHWM"));
      cpuMs = Math.max(cpuMs, procCpuMs(child.pid!));
    }, 5);
    child.on("exit", (code) => {
      clearInterval(poll);
      resolve({ wallMs: performance.now() - t0, cpuMs, peakMb: peakKb / 1024, out, code: code ?? -1 });
    });
  });
}

/**
 * User + system CPU time of a process and all its threads from /proc/PID/stat (fields 14 and 15, in clock ticks of
 * 1/100 s on Linux). Wall time on this shared machine moves with the other sessions' load; CPU time much less, so
 * two figures taken at different loads are compared by it (the optimizer's --mirror once read 3.5 × plain by wall
 * time, taken at load 4.7 against 2.6; by CPU time it is the 2 × its twice as many backtests make).
 */
function procCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" "); // after the command's name
    return (Number(fields[11]) + Number(fields[12])) * 10; // utime, stime: fields 14 and 15 counted from the pid
  } catch {
    return 0; // exited between two polls
  }
}

function procKb(pid: number, field: "VmHWM" | "VmRSS"): number {
  try {
    return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
  } catch {
    return 0; // exited between two polls
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A bot process: time to the first quote line, then its RSS at each minute mark. */
async function paperRun(rt: Runtime, minutes: number): Promise<{ firstQuoteMs: number; rssMb: number[] }> {
  const dir = mkdtempSync(join(os.tmpdir(), "mmbot-bench-"));
  const args = ["--set", "http.port=0", "--set", `storage.path=${dir}/bench.sqlite`, "--set", "feed.speed=600"];
  // the bundled 3-day sample lasts 7 minutes at speed 600: watch a month of data instead
  args.push("--set", `feed.path=${PAPER_DATA}`);
  const [cmd, cmdArgs] = command(rt, "mod.ts", args);
  const t0 = performance.now();
  const child = spawn(cmd, [...cmdArgs], { stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise((r) => child.on("exit", r));
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", () => {});
  while (!out.includes("| bid ")) {
    if (performance.now() - t0 > 30_000 || child.exitCode !== null) throw new Error(`${rt}: no quote in 30 s:\n${out}`);
    await sleep(5);
  }
  const firstQuoteMs = performance.now() - t0;
  const rssMb: number[] = [];
  for (let m = 1; m <= minutes; m++) {
    await sleep(t0 + m * 60_000 - performance.now());
    if (child.exitCode !== null) throw new Error(`${rt}: the paper run ended before minute ${m}:\n${out}`);
    rssMb.push(procKb(child.pid!, "VmRSS") / 1024);
  }
  child.kill("SIGTERM");
  await exited;
  return { firstQuoteMs, rssMb };
}

/**
 * The soak: one long paper run on `rt`, its RSS (from /proc) and JS heap (its own /metrics) every minute and its
 * ledger's growth per day of market time. Lines are prefixed with the runtime: Deno and Bun may soak side by side.
 */
async function soak(rt: Runtime, minutes: number): Promise<void> {
  const dir = mkdtempSync(join(os.tmpdir(), "mmbot-soak-"));
  const ledger = `${dir}/soak.sqlite`;
  const args = ["--set", "http.port=0", "--set", `storage.path=${ledger}`, "--set", "feed.speed=600"];
  if (existsSync(PAPER_DATA)) args.push("--set", `feed.path=${PAPER_DATA}`); // a month: 30 min × 600 = 12.5 days
  const [cmd, cmdArgs] = command(rt, "mod.ts", args);
  const say = (line: string) => console.log(`${rt.padEnd(4)} ${line}`);
  const t0 = performance.now();
  const child = spawn(cmd, [...cmdArgs], { stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise((r) => child.on("exit", r));
  let out = "";
  child.stdout!.on("data", (d) => (out = (out + d).slice(-200_000)));
  child.stderr!.on("data", () => {});
  try {
    while (!/http on http:\/\/127\.0\.0\.1:(\d+)/.test(out) || !out.includes("| bid ")) {
      if (performance.now() - t0 > 30_000 || child.exitCode !== null) {
        throw new Error(`soak (${rt}): no quote in 30 s:\n${out}`);
      }
      await sleep(50);
    }
    const base = `http://127.0.0.1:${/http on http:\/\/127\.0\.0\.1:(\d+)/.exec(out)![1]}`;
    const marketTs = async () => (await (await fetch(`${base}/api/status`)).json()).ts as number;
    const heapMb = async () => {
      const text = await (await fetch(`${base}/metrics`)).text();
      const mb = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1] ?? NaN) / 1048576;
      return { used: mb("nodejs_heap_size_used_bytes"), total: mb("nodejs_heap_size_total_bytes") };
    };
    const ledgerBytes = () =>
      ["", "-wal", "-shm"].reduce((n, ext) => n + (existsSync(ledger + ext) ? Deno.statSync(ledger + ext).size : 0), 0);
    const ts0 = await marketTs();
    say(`soak: paper run, speed 600, ${minutes} wall minutes; ledger ${ledger}`);
    say("minute  RSS MB  heap used / total MB  market day  ledger+WAL MB");
    const rss: number[] = [];
    let ts = ts0;
    for (let m = 1; m <= minutes; m++) {
      await sleep(t0 + m * 60_000 - performance.now());
      if (child.exitCode !== null) {
        throw new Error(`soak (${rt}): the paper run ended before minute ${m}:\n${out.slice(-2000)}`);
      }
      rss.push(procKb(child.pid!, "VmRSS") / 1024);
      const heap = await heapMb();
      ts = await marketTs();
      const day = (ts - ts0) / 86_400_000;
      say(
        `${String(m).padStart(6)}  ${rss.at(-1)!.toFixed(1).padStart(6)}  ${
          `${heap.used.toFixed(1)} / ${heap.total.toFixed(1)}`.padStart(20)
        }  ${day.toFixed(2).padStart(10)}  ${(ledgerBytes() / 1048576).toFixed(2).padStart(13)}`,
      );
    }
    const days = (ts - ts0) / 86_400_000;
    const after1 = rss.slice(1);
    const growth = Math.max(...after1) - rss[0];
    say(
      `soak: RSS at minute 1 ${rss[0].toFixed(1)} MB, highest after it ${Math.max(...after1).toFixed(1)} MB ` +
        `(${growth >= 0 ? "+" : ""}${growth.toFixed(1)} MB; target ≤ +10 MB: ${growth <= 10 ? "met" : "MISSED"}), ` +
        `last ${rss.at(-1)!.toFixed(1)} MB`,
    );
    // the ledger's size once the bot has stopped and SQLite folded its write-ahead log into the file
    child.kill("SIGTERM");
    await exited;
    const bytes = ledgerBytes();
    say(
      `soak: ${days.toFixed(2)} days of market time; ledger ${(bytes / 1048576).toFixed(2)} MB after the stop, ` +
        `${(bytes / days / 1024).toFixed(0)} KB per market day (${
          (bytes / days * 365 / 1048576).toFixed(0)
        } MB per year)`,
    );
  } finally {
    child.kill("SIGTERM");
    await exited;
  }
}

if (argv.includes("--soak")) {
  const m = argv.includes("--soak-minutes") ? Number(argv[argv.indexOf("--soak-minutes") + 1]) : 30;
  if (!(m >= 2)) {
    console.error("bench: --soak-minutes needs a number of minutes ≥ 2");
    Deno.exit(2);
  }
  // Bun beside Deno when it is installed: two idle-ish processes (a few % of a core each), same wall half hour
  await Promise.all(RUNTIMES.filter((rt) => rt === "deno" || hasBun).map((rt) => soak(rt, m)));
  Deno.exit(0);
}

const rows: [string, string, Partial<Record<Runtime, string>>][] = [];
/** Sets `rt`'s figure in the row `name` (added, with its target, the first time). */
function put(rt: Runtime, name: string, target: string, value: string): void {
  let row = rows.find((r) => r[0] === name);
  if (!row) rows.push(row = [name, target, {}]);
  row[2][rt] = value;
}
const cpu = os.cpus();
const loadText = () => os.loadavg().map((x) => x.toFixed(2)).join(" ");
console.log(
  `mmbot bench: ${cpu.length} × ${cpu[0]?.model ?? "?"}, Deno ${Deno.version.deno}${hasBun ? ", Bun" : ""}; ` +
    `load average ${loadText()} (1, 5, 15 min: wall times move with it)`,
);
const runtimes = RUNTIMES.filter((rt) => rt === "deno" || hasBun);

for (const rt of runtimes) {
  // 1. the backtest core and the tick, in-process
  const [cmd, args] = command(rt, "bench/core.ts", []);
  const core = JSON.parse((await run(cmd, [...args])).out);
  put(
    rt,
    `backtest core: 30 days, 15 s ticks, ${core.fills} fills`,
    "≤ 0.2 s",
    `${(core.backtestMs / 1000).toFixed(3)} s`,
  );
  const k = (n: number) => `${(n / 1000).toFixed(0)}k`;
  put(
    rt,
    "  workload: ticks quoting / standing aside",
    "all quote",
    `${k(core.ticks - core.aside)} / ${k(core.aside)}`,
  );
  put(rt, "  ticks per second", "≥ 1 M", `${(core.ticks / core.backtestMs / 1000).toFixed(2)} M`);
  put(rt, "  the same, shipped defaults (fewer fills)", "≤ 0.2 s", `${(core.shippedMs / 1000).toFixed(3)} s`);
  put(rt, "tick compute p50", "—", `${core.tickP50Us.toFixed(1)} µs`);
  put(rt, "tick compute p99", "≤ 50 µs", `${core.tickP99Us.toFixed(1)} µs`);

  // 2. the backtest command, whole process, on a 35-day CSV (median of 5)
  {
    const [bc, ba] = command(rt, "mod.ts", ["backtest", "--data", MONTH_35D]);
    // the first run with no candle cache beside the file (it parses the CSV and writes the cache), then 5 with it
    rmSync(cachePathOf(MONTH_35D), { force: true });
    const first = await run(bc, [...ba]);
    const runs = [];
    for (let i = 0; i < 5; i++) runs.push(await run(bc, [...ba]));
    put(
      rt,
      "backtest command, 35-day CSV (wall)",
      "≤ 0.6 s",
      `${(median(runs.map((r) => r.wallMs)) / 1000).toFixed(2)} s`,
    );
    put(rt, "  peak RSS", "≤ 150 MB", `${median(runs.map((r) => r.peakMb)).toFixed(0)} MB`);
    put(rt, "  the first run, no candle cache yet", "≤ 0.6 s", `${(first.wallMs / 1000).toFixed(2)} s`);
  }
}

// 3. the optimizer: 200 candidates × ~32 days on both cores, the whole command as a user runs it. One fold on each
// of the two bundled files (30 and 35 days) gives two windows a file: 200 candidates (the configuration's own + 199
// drawn) tune on the first of each, ~15 + ~17 days. Plain, then --mirror (every window also run mirrored: twice the
// backtests; DESIGN §11: ≤ 30 s and ≤ 60 s).
if (!argv.includes("--skip-optimizer")) {
  const cpuOf: Record<string, Partial<Record<Runtime, number>>> = {};
  for (const [label, extra] of [["optimizer", []], ["optimizer --mirror", ["--mirror"]]] as const) {
    for (const rt of runtimes) {
      const load = os.loadavg()[0];
      const out = join(mkdtempSync(join(os.tmpdir(), "mmbot-bench-")), "opt.json");
      const [cmd, args] = command(rt, "mod.ts", [
        "optimize",
        "--data",
        PAPER_DATA,
        "--data",
        MONTH_35D,
        "--trials",
        "199",
        "--folds",
        "1",
        "--json",
        out,
        ...extra,
      ]);
      const r = await run(cmd, [...args]);
      if (r.code !== 0) throw new Error(`${rt}: optimize failed (${r.code})`);
      const report = JSON.parse(readFileSync(out, "utf8"));
      const days = report.data[0].windows[0].candles / 1440;
      const name = `${label}: ${report.candidates} candidates × ${days.toFixed(0)} days`;
      put(rt, name, extra.length ? "≤ 60 s" : "≤ 30 s", `${(r.wallMs / 1000).toFixed(1)} s`);
      put(rt, `  ${label}: CPU time / load at start`, "—", `${(r.cpuMs / 1000).toFixed(0)} s / ${load.toFixed(1)}`);
      (cpuOf[label] ??= {})[rt] = r.cpuMs;
    }
  }
  const ratio: Partial<Record<Runtime, string>> = {};
  for (const rt of runtimes) ratio[rt] = `${(cpuOf["optimizer --mirror"][rt]! / cpuOf.optimizer[rt]!).toFixed(2)} ×`;
  rows.push(["  --mirror ÷ plain, by CPU time", "≈ 2 ×", ratio]);
}

// 4. the default paper run: first quote, then memory over the minutes (both runtimes at once: one core each)
const paper = argv.includes("--skip-paper") ? [] : await Promise.all(runtimes.map((rt) => paperRun(rt, paperMinutes)));
paper.forEach(({ firstQuoteMs, rssMb }, i) => {
  const rt = runtimes[i];
  put(rt, "time to first quote (paper run)", "≤ 1 s", `${(firstQuoteMs / 1000).toFixed(2)} s`);
  put(rt, "paper run RSS at minute 1 (speed 600)", "≤ 100 MB", `${rssMb[0].toFixed(0)} MB`);
  put(
    rt,
    `  growth minute 1 → ${paperMinutes}`,
    "≤ +10 MB",
    `${rssMb.at(-1)! - rssMb[0] >= 0 ? "+" : ""}${(rssMb.at(-1)! - rssMb[0]).toFixed(0)} MB`,
  );
});

// 5. a live spot bot against the local Binance stand-in (bench/live.ts): steady and peak RSS
if (!argv.includes("--skip-live")) {
  const live = await run(Deno.execPath(), ["run", "-A", "bench/live.ts", "--runtimes", runtimes.join(",")]);
  if (live.code !== 0) throw new Error(`bench/live.ts failed (${live.code})`);
  const byRt = JSON.parse(live.out) as Record<Runtime, { steadyMb: number; peakMb: number }>;
  const steady: Partial<Record<Runtime, string>> = {}, peak: Partial<Record<Runtime, string>> = {};
  for (const rt of runtimes) {
    steady[rt] = `${byRt[rt].steadyMb.toFixed(0)} MB`, peak[rt] = `${byRt[rt].peakMb.toFixed(0)} MB`;
  }
  rows.push(["live spot bot vs local Binance: steady RSS", "≤ 100 MB", steady], ["  peak RSS", "≤ 120 MB", peak]);
}

console.log(`load average at the end: ${loadText()}`);
const w = Math.max(...rows.map((r) => r[0].length));
console.log(`${"figure".padEnd(w)}  ${"target".padEnd(9)}  ${"Deno".padStart(10)}  ${"Bun".padStart(10)}`);
for (const [name, target, v] of rows) {
  console.log(
    `${name.padEnd(w)}  ${target.padEnd(9)}  ${(v.deno ?? "—").padStart(10)}  ${(v.bun ?? "—").padStart(10)}`,
  );
}
