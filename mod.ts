/** mmbot entrypoint: command line, configuration, wiring, signals and shutdown. */
import process from "node:process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { runBacktest, summaryTable } from "./lib/backtest.ts";
import { DataError } from "./lib/candles.ts";
import { backtestSvg } from "./lib/chart.ts";
import { type CliOptions, loadConfig, parseCli, USAGE } from "./lib/cli.ts";
import { ScaledClock } from "./lib/clock.ts";
import { type Config, ConfigError, describeSecrets, loadSecrets } from "./lib/config.ts";
import { Engine } from "./lib/engine.ts";
import { currencies, isoMinute, tickLine } from "./lib/format.ts";
import { CANDLE_MS, requiredCandles } from "./lib/indicators.ts";
import { runLoop } from "./lib/loop.ts";
import { PaperExchange } from "./lib/paper.ts";
import { loadCandleFile, ReplayMarket } from "./lib/replay.ts";

function fail(e: unknown): never {
  if (e instanceof ConfigError) {
    console.error(`mmbot: configuration rejected (${e.problems.length} problem${e.problems.length > 1 ? "s" : ""}):`);
    for (const p of e.problems) console.error(`  - ${p}`);
    process.exit(2);
  }
  if (e instanceof DataError) {
    console.error(`mmbot: bad data: ${e.message}`);
    process.exit(2);
  }
  console.error(`mmbot: ${(e as Error)?.stack ?? e}`);
  process.exit(1);
}

/** Paper trading on replayed candles at `feed.speed` × wall-clock pace. */
async function run(config: Config): Promise<void> {
  if (config.mode !== "paper" || config.feed.source !== "replay") {
    throw new ConfigError([
      `mode ${JSON.stringify(config.mode)} with feed.source ${
        JSON.stringify(config.feed.source)
      } is not available yet; this version runs mode paper with feed.source replay`,
    ]);
  }
  const candles = loadCandleFile(config.feed.path);
  const market = new ReplayMarket(candles, config.market.tick_size);
  // history the indicators need is served as already closed when the clock starts
  const start = candles[0].ts + requiredCandles(config.strategy) * CANDLE_MS;
  if (start >= market.series.endTs) {
    throw new DataError(`${config.feed.path}: ${candles.length} candles are fewer than the indicators need`);
  }
  const clock = new ScaledClock(start, config.feed.speed);
  const exchange = new PaperExchange(market, clock, config);
  const engine = new Engine({ config, exchange, clock });
  const [base, quote] = currencies(config.market.symbol);
  engine.on((e) => {
    if (e.type === "tick") console.log(tickLine(engine.status()));
    else if (e.type === "fill") {
      const f = e.fill;
      console.log(
        `${isoMinute(f.ts)} FILL ${f.side} ${f.amount} ${base} @ ${f.price} (fee ${
          f.feeQuote.toFixed(4)
        } ${quote}), inventory ${e.inventoryRatio.toFixed(3)}`,
      );
    } else if (e.type === "error") console.error(`${isoMinute(e.ts)} error (${e.consecutive} in a row): ${e.message}`);
    else if (
      e.type === "kill_switch" || e.type === "inventory_limit" || e.type === "stale_data" || e.type === "error_breaker"
    ) {
      console.log(
        `${isoMinute(e.ts)} ${e.type.replace("_", " ")}: ${JSON.stringify({ ...e, type: undefined, ts: undefined })}`,
      );
    }
  });

  const controller = new AbortController();
  const onSignal = (sig: string) => {
    if (controller.signal.aborted) return;
    console.log(`\nmmbot: ${sig} received, cancelling orders and stopping`);
    controller.abort();
  };
  process.on("SIGINT", () => onSignal("SIGINT"));
  process.on("SIGTERM", () => onSignal("SIGTERM"));

  console.log(
    `mmbot: paper trading ${config.market.symbol} (${config.market.type}), profile ${config.strategy.profile}, replaying ${config.feed.path} from ${
      isoMinute(start)
    } at ${config.feed.speed}× speed`,
  );
  await engine.start();
  const end = await runLoop(engine, clock, {
    refreshMs: config.strategy.refresh_s * 1000,
    signal: controller.signal,
    endTs: market.series.endTs,
  });
  if (end === "data_ended") {
    console.log(`mmbot: the replay data ended at ${isoMinute(market.series.endTs)}; stopping`);
  }
  const cancelled = await engine.stop();
  const s = engine.status();
  console.log(
    `mmbot: stopped; cancelled ${cancelled} order(s); ${s.pnl?.fills ?? 0} fills, pnl ${
      (s.pnl?.pnl ?? 0).toFixed(2)
    } ${quote}`,
  );
}

async function backtest(config: Config, cli: CliOptions): Promise<void> {
  const candles = loadCandleFile(cli.data!);
  const tty = process.stdout.isTTY;
  const report = await runBacktest(config, candles, {
    onProgress: tty
      ? (done) =>
        process.stdout.write(`\r[${"#".repeat(Math.round(done * 40)).padEnd(40)}] ${(done * 100).toFixed(0)} %`)
      : undefined,
  });
  if (tty) process.stdout.write("\n");
  const [, quote] = currencies(config.market.symbol);
  console.log(summaryTable(report.summary, quote));
  if (cli.json) {
    mkdirSync(dirname(cli.json), { recursive: true });
    writeFileSync(cli.json, JSON.stringify({ summary: report.summary, fills: report.fills }, null, 2));
    const chart = cli.json.replace(/\.json$/i, "") + ".svg";
    writeFileSync(
      chart,
      backtestSvg(report.series, report.fills, `${config.market.symbol} ${config.strategy.profile} backtest`),
    );
    console.log(`report: ${cli.json}\nchart:  ${chart}`);
  }
}

async function main() {
  const cli = parseCli(process.argv.slice(2));
  if (cli.help) {
    console.log(USAGE);
    return;
  }
  const config = loadConfig(cli.configPath, cli.sets);
  const secrets = loadSecrets(process.env);
  if (cli.command === "backtest") return await backtest(config, cli);
  console.log(`mmbot: secrets ${JSON.stringify(describeSecrets(secrets))}`);
  await run(config);
  process.exit(0);
}

if (import.meta.main) main().catch(fail);
