/**
 * The profile YAML `optimize` writes: the whole strategy section, and every other key where the tuned
 * configuration differs from the schema's defaults, so that `--config <profile>` alone reproduces the
 * configuration that was scored. The scores and the command that chose it go in comments at the top.
 */
import YAML from "yaml";
import type { Config } from "../config/schema.ts";
import { schemaFields } from "../config/schema.ts";
import { defaults, getPath } from "../config/validate.ts";
import { candidateConfig, type OptimizeResult, type Params } from "./optimize.ts";

/**
 * The nested mapping of every `strategy.*` key (so that the profile means the same if a default moves later), the
 * other keys of `config` that differ from the defaults, and `keep`.
 */
export function profileDoc(config: Config, keep: string[] = []): Record<string, unknown> {
  const base = defaults();
  const doc: Record<string, unknown> = {};
  for (const [path] of schemaFields()) {
    const value = getPath(config, path);
    if (!path.startsWith("strategy.") && value === getPath(base, path) && !keep.includes(path)) continue;
    // one order size (lib/config/validate.ts): a size in quote is written alone
    if (path === "strategy.order_amount" && config.strategy.order_value_quote > 0) continue;
    const keys = path.split(".");
    let node = doc;
    for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    node[keys[keys.length - 1]] = value;
  }
  return doc;
}

const fmt = (x: number | null) => (x === null ? "n/a" : x.toFixed(3));

export function profileYaml(base: Config, params: Params, about: { command: string; result: OptimizeResult }): string {
  const tuned = candidateConfig(base, params);
  const { result } = about;
  const header = [
    `# ${tuned.strategy.profile}, chosen by: ${about.command}`,
    result.best.holdout.edge_pct === undefined
      ? `# score = excess return over holding − weight × excess drawdown, in % (see README → Optimize)`
      : `# score = edge − |directional| − weight × excess drawdown, each window and its mirror, in % (README → Optimize)`,
    `# best: tuning windows mean score ${fmt(result.best.tuning_score)}, holdout ${fmt(result.best.holdout.score)}` +
    ` (the configuration's own: ${fmt(result.baseline.tuning_score)}, holdout ${fmt(result.baseline.holdout.score)})`,
    ...result.folds.map((f) =>
      `# fold ${f.fold}: in-sample ${fmt(f.in_sample.score)}, out-of-sample ${fmt(f.out_of_sample.score)}`
    ),
    `# Run: deno run -P mod.ts --config <this file>`,
  ];
  return header.join("\n") + "\n" + YAML.stringify(profileDoc(tuned, Object.keys(params)));
}
