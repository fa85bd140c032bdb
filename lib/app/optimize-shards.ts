/**
 * The files of `optimize --shard` and `--merge` (the logic is lib/lab/shards.ts): a shard writes its part with the
 * settings of its search; the merge reads the parts and returns what one run would have, for the report.
 */
import process from "node:process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname } from "node:path";
import YAML from "yaml";
import type { Config } from "../config/schema.ts";
import { buildConfig } from "../config/validate.ts";
import type { OptimizeInput, OptimizeResult } from "../lab/optimize.ts";
import { progressBar } from "../lab/progress.ts";
import { MergeError, mergeParts, parsePart, PART_FORMAT, partJson, runShard, type ShardPart } from "../lab/shards.ts";
import type { Dimension } from "../lab/space.ts";
import type { Window } from "../lab/walk-forward.ts";
import type { Files, OptimizeOptions } from "./optimize-command.ts";

/** `--shard I/N`: this slice of the candidates on every window, written to `--json` with the search's settings. */
export async function writeShard(
  opts: OptimizeOptions,
  search: OptimizeInput,
  files: Files,
  reportData: (windows: Window[][]) => unknown,
): Promise<void> {
  // what scores (the objective with its options, and any option added later) stays; where it ran, what it wrote, and
  // how the data was named or fetched does not (the data is compared by its content)
  const {
    configPath: _c,
    sets: _s,
    data: _d,
    symbol: _y,
    from: _f,
    to: _t,
    offline: _o,
    json,
    profileOut: _p,
    workers: _w,
    help: _h,
    shard,
    merge: _m,
    ...options
  } = opts;
  const bar = progressBar(process.stderr);
  const { windows, results } = await runShard({ ...search, shard: shard!, onProgress: bar.update })
    .finally(() => bar.end());
  const part: ShardPart = {
    format: PART_FORMAT,
    shard: shard!,
    settings: {
      config_yaml: YAML.stringify(search.base),
      space: search.space,
      trials: search.trials,
      folds: search.folds,
      seed: search.seed,
      warmup: search.warmup,
      options,
      data: files.map((f) => ({ name: basename(f.name), candles: f.candles.length, sha256: candlesHash(f.candles) })),
    },
    report_data: reportData(windows),
    results,
  };
  mkdirSync(dirname(json!), { recursive: true });
  writeFileSync(json!, partJson(part));
  console.log(`part ${shard!.index}/${shard!.count}: ${results.length} candidates → ${json}`);
}

/** SHA-256 of the candles' numbers: the same data whether read from a file, a folder or downloaded. */
function candlesHash(candles: Files[number]["candles"]): string {
  const hash = createHash("sha256"), row = new Float64Array(6);
  for (const c of candles) {
    row[0] = c.ts, row[1] = c.open, row[2] = c.high, row[3] = c.low, row[4] = c.close, row[5] = c.volume;
    hash.update(new Uint8Array(row.buffer));
  }
  return hash.digest("hex");
}

/** `--merge PART ...`: the parts read and checked, and the choice of one run with what its report needs. */
export async function mergeFromParts(names: string[]): Promise<{
  config: Config;
  space: Dimension[];
  result: OptimizeResult;
  data: unknown;
  options: Partial<OptimizeOptions>;
}> {
  const parts = names.map((name) => {
    try {
      return { name, part: parsePart(readFileSync(name, "utf8")) };
    } catch (e) {
      throw new MergeError(`${name}: not readable as an optimize part (${(e as Error).message.split("\n")[0]})`);
    }
  });
  const first = parts[0].part;
  const config = buildConfig({ yamlText: first?.settings?.config_yaml ?? "", source: parts[0].name });
  const result = await mergeParts(config, parts);
  return {
    config,
    space: first.settings.space,
    result,
    data: first.report_data,
    options: first.settings.options as Partial<OptimizeOptions>,
  };
}
