/** Command line: the commands (`run` by default), --config and repeatable --set; the usage text lists every command. */
import { parseArgs } from "node:util";
import { readFileSync } from "node:fs";
import { buildConfig, ConfigError } from "./validate.ts";
import type { Config } from "./schema.ts";

export interface CliOptions {
  command: "run" | "backtest" | "pause" | "resume";
  configPath: string;
  sets: string[];
  /** backtest: candle files (several of one market are joined) */
  data: string[];
  /** backtest from the download folder: the market (default: the config's), --from, --to and --offline */
  symbol?: string;
  from?: string;
  to?: string;
  offline: boolean;
  /** backtest: JSON report path */
  json?: string;
  /** backtest (perp): funding rates CSV (ts,rate) */
  funding?: string;
  /** backtest: also run the mirrored data and report edge and directional parts (DESIGN §14) */
  mirror: boolean;
  /** run: start a fresh paper account */
  reset: boolean;
  help: boolean;
}

/** Every command mmbot has, with one line each: the usage text and the unknown-command error both list these. */
export const COMMANDS = {
  run: "trade (the default command): paper, paper on live data or live, as the configuration says",
  backtest: "replay a candle file through the strategy and report (--data CSV)",
  optimize: "walk-forward parameter search (optimize --help for its options)",
  download: "fetch the market's 1m candles (and funding rates) into CSV files (download --help)",
  pause: "pause the bot using this ledger (durable; the running bot cancels its orders)",
  resume: "resume the bot using this ledger",
} as const;

/** The commands with their own argument parsers (lib/app): main() hands them their arguments before parseCli. */
const OWN_PARSER = ["optimize", "download"];

export const USAGE = `Usage:
  deno run -P mod.ts [--config PATH] [--set key.path=value ...] [--reset]
  deno run -P mod.ts backtest --data FILE [--data FILE ...] [--funding CSV] [--mirror] [--config PATH] [--set ...] [--json OUT]
  deno run -P mod.ts backtest [--symbol SYMBOL] --from DATE [--to DATE] [--offline] [--mirror] [--config PATH] [--set ...] [--json OUT]
  deno run -P mod.ts pause|resume [--config PATH] [--set ...]   pause or resume the bot using this ledger
  deno run -P mod.ts download --from DATE [--to DATE] [--out PATH] [--funding] [--config PATH] [--set ...]
                                      the configured market's 1m candles from the venue (download --help)
  deno run -P mod.ts optimize --data CSV [...] [--space key=lo:hi ...] [--trials N] [--folds K] [--seed S] [--json OUT]
                                      walk-forward parameter search (optimize --help for the rest)

Commands:
${Object.entries(COMMANDS).map(([name, what]) => `  ${name.padEnd(19)}  ${what}`).join("\n")}

Options:
  --config PATH        configuration file (default: config.yml)
  --set key.path=VAL   override one config key, e.g. --set strategy.order_amount=0.02 (repeatable)
  --reset              start a fresh paper account (the ledger keeps its history)
  --data FILE          backtest: 1m candles: our CSV (ts,open,high,low,close,volume), the same .csv.gz, or Binance's
                       kline dumps (.csv or .zip); repeat for several files of one market (joined in time order)
  --symbol SYMBOL      backtest: the market (default market.symbol) read from data/<exchange>/<SYMBOL>/
  --from DATE          backtest: first minute (UTC day 2025-01-01 or ISO time); --to DATE end, exclusive (default now)
  --offline            backtest: do not download missing months (fail naming them instead)
  --json OUT           backtest: write the JSON report here (a chart is written next to it)
  --funding CSV        backtest of a perpetual: funding rates, columns ts,rate (default: paper.funding_rate_8h)
  --mirror             backtest: also run the mirrored market (p -> P0^2/p, funding sign flipped) and report
                       edge_pct = (excess + mirror excess)/2 and directional_pct = (excess - mirror excess)/2
  -h, --help           this text`;

/** Options every command takes: the config file and its overrides. */
export const CONFIG_OPTIONS = {
  config: { type: "string" },
  set: { type: "string", multiple: true },
} as const;

/** Where `backtest` and `optimize` read candles: files, or the download folder's market and range. */
export const DATA_OPTIONS = {
  data: { type: "string", multiple: true },
  symbol: { type: "string" },
  from: { type: "string" },
  to: { type: "string" },
  offline: { type: "boolean" },
} as const;

/** The one problem with `--data` against `--symbol/--from/--to/--offline` (the one or the other), or null. */
export function dataSourceProblem(
  v: { data?: string[]; symbol?: string; from?: string; to?: string; offline?: boolean },
  command: string,
): string | null {
  const fromFolder = v.symbol !== undefined || v.from !== undefined || v.to !== undefined || v.offline !== undefined;
  if (!v.data?.length && !fromFolder) {
    return `${command} needs --data FILE, or --from DATE [--to DATE] [--symbol SYMBOL]`;
  }
  if (v.data?.length && fromFolder) return "give --data FILE or --symbol/--from/--to/--offline, not both";
  if (fromFolder && v.from === undefined) return "--symbol, --to and --offline need --from DATE";
  return null;
}

/** Parses argv; throws ConfigError naming the bad argument. */
export function parseCli(argv: string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        ...CONFIG_OPTIONS,
        ...DATA_OPTIONS,
        json: { type: "string" },
        funding: { type: "string" },
        mirror: { type: "boolean" },
        reset: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    // node's message continues with advice about "--"; the first sentence is the useful part
    throw new ConfigError([`command line: ${(e as Error).message.split(". ")[0]}; see --help`]);
  }
  const { values, positionals } = parsed;
  const problems: string[] = [];
  const command = positionals[0] ?? "run";
  if (!Object.hasOwn(COMMANDS, command)) {
    problems.push(
      `command line: unknown command ${JSON.stringify(command)}; allowed: ${Object.keys(COMMANDS).join(", ")}`,
    );
  } else if (OWN_PARSER.includes(command)) {
    // main() hands these their arguments when they come first; after other options they cannot be told apart
    problems.push(`command line: ${command} must come first, before its options (see ${command} --help)`);
  }
  if (positionals.length > 1) {
    problems.push(`command line: unexpected argument ${JSON.stringify(positionals[1])}`);
  }
  const source = command === "backtest" && !values.help ? dataSourceProblem(values, "backtest") : null;
  if (source) problems.push(`command line: ${source}`);
  const dataGiven = [values.data, values.symbol, values.from, values.to, values.offline].some((x) => x !== undefined);
  if (command !== "backtest" && (values.json || values.funding || values.mirror || dataGiven)) {
    problems.push(
      "command line: --data, --json, --funding, --mirror, --symbol, --from, --to and --offline belong to the backtest command",
    );
  }
  if (values.reset && command !== "run") problems.push("command line: --reset belongs to the run command");
  if (problems.length) throw new ConfigError(problems);
  return {
    command: command as CliOptions["command"],
    configPath: values.config ?? "config.yml",
    sets: values.set ?? [],
    data: values.data ?? [],
    symbol: values.symbol,
    from: values.from,
    to: values.to,
    offline: values.offline ?? false,
    json: values.json,
    funding: values.funding,
    mirror: values.mirror ?? false,
    reset: values.reset ?? false,
    help: values.help ?? false,
  };
}

/** Reads the config file and applies the --set overrides; throws ConfigError. */
export function loadConfig(path: string, sets: string[]): Config {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as { code?: string }).code;
    const why = code === "ENOENT" ? "file not found" : (e as Error).message;
    throw new ConfigError([`--config ${path}: cannot read the configuration: ${why}`]);
  }
  return buildConfig({ yamlText: text, source: path, sets });
}
