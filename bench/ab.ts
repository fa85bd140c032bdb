/**
 * In-process A/B of the backtest core between two versions of the code, for a shared machine: there the other
 * sessions' load moves a backtest's CPU time by tens of percent from one run to the next, more than most changes
 * are worth. Both versions are loaded into one process and run in turn (A B, B A, …) on the bench month's first
 * `--days` days, seed parameters and shipped defaults; each pair's ratio B / A is taken, and the median ratio printed
 * with the medians and minima of the CPU times. Two copies of the same code read 0.98 (Deno) and 1.01–1.02 (Bun) at
 * 40 rounds of 7.6 days (the default): a ratio within about 2 % of 1 is noise.
 *
 *   mkdir -p .ab/old && git archive <commit> lib bench | tar -x -C .ab/old
 *   deno run -A --v8-flags=--single-threaded-gc bench/ab.ts .ab/old [.ab/new] [--rounds 40] [--days 7.6]
 *   bun bench/ab.ts .ab/old …
 *
 * A version is a folder holding `lib/` and `bench/` (B defaults to this checkout); it must lie inside this checkout
 * (Deno resolves the npm packages from here). Not a test: speed lives in the bench.
 */
import process from "node:process";
import { resolve } from "node:path";

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i < 0 ? fallback : Number(args.splice(i, 2)[1]);
};
const rounds = option("--rounds", 40), days = option("--days", 7.6);
if (!args.length) throw new Error("usage: bench/ab.ts OLD_ROOT [NEW_ROOT] [--rounds N] [--days D]");
const roots = [resolve(args[0]), resolve(args[1] ?? new URL("..", import.meta.url).pathname)];

interface Version {
  run: (config: unknown, candles: unknown) => Promise<unknown>;
  config: (sets: string[]) => unknown;
  candles: unknown[];
  seed: string[];
}

async function load(root: string): Promise<Version> {
  const { runBacktest } = await import(`${root}/lib/lab/backtest.ts`);
  const { buildConfig } = await import(`${root}/lib/config/validate.ts`);
  const { loadCandleFile } = await import(`${root}/lib/venues/replay-feed.ts`);
  const data = await import(`${root}/bench/data.ts`);
  const candles = loadCandleFile(data.benchCsv(data.MONTH)).slice(0, Math.round(days * 1440));
  return { run: runBacktest, config: (sets) => buildConfig({ sets }), candles, seed: data.SEED };
}

const versions = [await load(roots[0]), await load(roots[1])];
const cases: [string, (v: Version) => string[]][] = [["seed", (v) => v.seed], ["shipped", () => []]];
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
for (const v of versions) await v.run(v.config(v.seed), v.candles.slice(0, 6000)); // warm the JIT
const times = cases.map(() => [[], []] as number[][]);
for (let r = 0; r < rounds; r++) {
  for (let c = 0; c < cases.length; c++) {
    for (const i of r % 2 ? [1, 0] : [0, 1]) {
      const v = versions[i], config = v.config(cases[c][1](v)), t = cpuMs();
      await v.run(config, v.candles);
      times[c][i].push(cpuMs() - t);
    }
  }
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b), m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
console.log(`A ${roots[0]}\nB ${roots[1]}\n${rounds} rounds of ${days} days, CPU ms per backtest`);
cases.forEach(([name], c) => {
  const [a, b] = times[c], ratio = median(a.map((x, i) => b[i] / x));
  const f = (xs: number[]) => `median ${median(xs).toFixed(0)}, min ${Math.min(...xs).toFixed(0)}`;
  console.log(`${name}: A ${f(a)} | B ${f(b)} | B / A paired median ${ratio.toFixed(3)}`);
});
