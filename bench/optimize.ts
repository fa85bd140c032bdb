/**
 * `deno run -A bench/optimize.ts`: the optimizer figure of DESIGN §11 — 200 candidates × 30 days on both cores,
 * target ≤ 60 s. One fold on a 58-day file gives two windows of ~29 days: 200 candidates (the configuration's own
 * + 199 drawn) tune on the first, and up to 3 run on the second. Times the whole command as a user runs it.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const DATA = "../shared/data/binance_spot_ETHUSDT_1m_20221201_20230128.csv";
const out = join(mkdtempSync(join(tmpdir(), "mmbot-bench-")), "opt.json");
const t = performance.now();
const r = spawnSync(
  "deno",
  ["run", "-P", "mod.ts", "optimize", "--data", DATA, "--trials", "199", "--folds", "1", "--json", out],
  { encoding: "utf8" },
);
const s = (performance.now() - t) / 1000;
if (r.status !== 0) throw new Error(`optimize failed (${r.status}): ${r.stderr}`);
const report = JSON.parse(readFileSync(out, "utf8"));
const days = report.data[0].windows[0].candles / 1440;
console.log(
  `${"optimizer: 200 candidates × 30 days".padEnd(34)} ${`${s.toFixed(1)} s`.padStart(14)}   (target ≤ 60 s; ` +
    `${report.candidates} candidates × ${days.toFixed(1)} days on ${report.workers} workers)`,
);
