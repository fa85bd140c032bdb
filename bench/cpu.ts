/**
 * The backtest core's CPU time, for comparing two checkouts on a shared machine (wall time moves with the other
 * sessions' load, CPU time much less): the bench month with the seed parameters (as bench/core.ts) and with the
 * shipped defaults, each run `runs` times after a warm-up, CPU time (user + system, this process) of each backtest
 * printed as one JSON line. Run it in each checkout in turn, several times, alternating:
 *
 *   deno run -A --v8-flags=--single-threaded-gc bench/cpu.ts [runs]     (default 3)
 *   bun bench/cpu.ts [runs]
 */
import process from "node:process";
import { runBacktest } from "../lib/lab/backtest.ts";
import { buildConfig } from "../lib/config/validate.ts";
import { loadCandleFile } from "../lib/venues/replay-feed.ts";
import { benchCsv, MONTH, SEED } from "./data.ts";

const runs = Number(process.argv.at(-1)) || 3;
const candles = loadCandleFile(benchCsv(MONTH));
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
await runBacktest(buildConfig({ sets: SEED }), candles.slice(0, 5000)); // warm the JIT
const out: Record<string, number[]> = { seed: [], shipped: [] };
for (let r = 0; r < runs; r++) {
  for (const [name, sets] of [["seed", SEED], ["shipped", []]] as const) {
    const t = cpuMs();
    await runBacktest(buildConfig({ sets: [...sets] }), candles);
    out[name].push(Math.round(cpuMs() - t));
  }
}
console.log(JSON.stringify(out));
