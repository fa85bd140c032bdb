/** mmbot entrypoint: command line, configuration, wiring, signals and shutdown. */
import "./lib/app/permits.ts"; // first: without Deno's permissions, one line saying what to type, before any import runs
import process from "node:process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { runBacktest } from "./lib/lab/backtest.ts";
import { runMirroredBacktest } from "./lib/lab/mirror.ts";
import { summaryTable } from "./lib/lab/summary.ts";
import { DataError } from "./lib/venues/candles.ts";
import { CandleColumns } from "./lib/core/candle-columns.ts";
import type { Candle } from "./lib/core/types.ts";
import { KeyRefused } from "./lib/venues/port.ts";
import { backtestSvg } from "./lib/lab/chart.ts";
import { type CliOptions, loadConfig, parseCli, USAGE } from "./lib/config/cli.ts";
import { openBot } from "./lib/app/open.ts";
import { balancesText, type Grid, logToConsole, muteDependencyDeprecations, secretsLine } from "./lib/app/console.ts";
import { Ledger, LedgerError } from "./lib/storage/ledger.ts";
import { createApp } from "./lib/http/routes.ts";
import { History } from "./lib/http/history.ts";
import { RecentMarket } from "./lib/lab/recent.ts";
import { isLoopback, serve, type Served } from "./lib/http/serve.ts";
import pkg from "./package.json" with { type: "json" };
import type { Config } from "./lib/config/schema.ts";
import { ConfigError } from "./lib/config/validate.ts";
import { loadSecrets, type Secrets } from "./lib/config/secrets.ts";
import { currencies, isoMinute } from "./lib/core/format.ts";
import { scrubber, scrubUrls } from "./lib/core/scrub.ts";
import { pauseDetail } from "./lib/core/pause.ts";
import { EXIT_ORDERS_LEFT, leftoverReport, type Shutdown, shutdown } from "./lib/app/shutdown.ts";
import { within } from "./lib/core/sleep.ts";
import { runLoop } from "./lib/engine/loop.ts";
import { HeapTrim } from "./lib/engine/heap-trim.ts";
import type { Telegram } from "./lib/control/telegram.ts";
import { readCandleData } from "./lib/venues/candle-files.ts";
import { rangeProblem } from "./lib/config/dates.ts";
import { progressBar } from "./lib/lab/progress.ts";
import { loadFundingFile } from "./lib/venues/funding-file.ts";
import { sizeWarning } from "./lib/core/sizing.ts";
import { edgeNote } from "./lib/app/edge-notes.ts";

/** Error texts pass through this before they are printed: secrets and signed URLs never reach the console. */
let scrub: (text: string) => string = scrubUrls;

/** Prints one clear message for an error that stopped the bot; returns the exit code (2: bad input). */
function failure(e: unknown): number {
  if (e instanceof ConfigError) {
    // one problem, one line; several, a list under a heading
    if (e.problems.length === 1) console.error(`mmbot: configuration rejected: ${e.problems[0]}`);
    else {
      console.error(`mmbot: configuration rejected (${e.problems.length} problems):`);
      for (const p of e.problems) console.error(`  - ${p}`);
    }
    return 2;
  }
  if (e instanceof KeyRefused) {
    console.error(
      `mmbot: not trading: ${
        scrub(e.message)
      }. Check EXCHANGE_API_KEY / EXCHANGE_API_SECRET, the key's trade permission and its IP allow-list (testnet keys differ from live ones)`,
    );
    return 2;
  }
  if (e instanceof LedgerError) {
    console.error(`mmbot: cannot use the ledger, not trading: ${e.message}`);
    return 2;
  }
  if (e instanceof DataError) {
    console.error(`mmbot: bad data: ${e.message}`);
    return 2;
  }
  const name = (e as Error)?.name ?? "";
  if (
    /^(NetworkError|RequestTimeout|ExchangeNotAvailable|DDoSProtection|RateLimitExceeded|OnMaintenance|OperationFailed|ExchangeError|BadSymbol|BadRequest|NotSupported)$/
      .test(name)
  ) {
    console.error(`mmbot: the exchange failed (${name}): ${scrub((e as Error).message)}; not trading`);
    return 1;
  }
  console.error(`mmbot: ${scrub(String((e as Error)?.stack ?? e))}`);
  return 1;
}

/** Runs the bot until a signal or the end of the replay data. */
async function run(config: Config, cli: CliOptions, secrets: Secrets): Promise<number> {
  if (config.http.enabled && !isLoopback(config.http.host) && !secrets.httpToken) {
    throw new ConfigError([
      `http.host: ${
        JSON.stringify(config.http.host)
      } is not allowed without HTTP_TOKEN; set HTTP_TOKEN or bind 127.0.0.1`,
    ]);
  }
  const replay = config.mode === "paper" && config.feed.source === "replay";
  const bot = await openBot(config, { reset: cli.reset, secrets });
  const { engine, clock, ledger } = bot;
  const [, quote] = currencies(config.market.symbol);
  // the market's steps (live: the exchange's) once known; the config's until then
  let grid: Grid = { tickSize: config.market.tick_size, lotSize: config.market.lot_size };
  logToConsole(engine, () => grid);

  const controller = new AbortController();
  let stopAskedAt: number | null = null;
  const stopping = new Promise<void>((resolve) => controller.signal.addEventListener("abort", () => resolve()));
  const onSignal = (sig: string) => {
    const timeoutS = engine.config.risk.shutdown_timeout_s;
    if (controller.signal.aborted) {
      console.log(`mmbot: ${sig} again: still cancelling (up to ${timeoutS} s), then exiting`);
      return;
    }
    console.log(`\nmmbot: ${sig} received, cancelling orders and stopping`);
    stopAskedAt = Date.now();
    engine.halt(); // a tick in flight places nothing more
    controller.abort();
  };
  process.on("SIGINT", () => onSignal("SIGINT"));
  process.on("SIGTERM", () => onSignal("SIGTERM"));

  console.log(
    replay
      ? `mmbot: paper trading ${config.market.symbol} (${config.market.type}), profile ${config.strategy.profile}, replaying ${config.feed.path} from ${
        isoMinute(clock.now())
      } at ${config.feed.speed}× speed; ledger ${ledger.path}`
      : `mmbot: ${
        config.mode !== "live"
          ? "paper trading on live data"
          : config.market.sandbox
          ? "testnet trading"
          : "LIVE trading (real money)"
      } ${config.market.symbol} (${config.market.type}) on ${config.market.exchange}, profile ${config.strategy.profile}; ledger ${ledger.path}`,
  );
  console.log(`mmbot: ${edgeNote(config.strategy.profile)}`);
  for (const note of bot.notes) console.log(`mmbot: ${note}`);
  let http: Served | null = null;
  let telegram: Telegram | null = null;
  let fatal: unknown = null;
  let started = false;
  // the one quote history (24 h of ticks) the dashboard and Telegram's /chart both read: made once, when first wanted
  let recentMarket: RecentMarket | null = null;
  const recent = () => recentMarket ??= new RecentMarket(engine);
  try {
    if (secrets.telegramBotToken) {
      // grammY is loaded only when it is used; its Node build pulls in a deprecated module (see console.ts)
      muteDependencyDeprecations(process);
      const { Telegram } = await import("./lib/control/telegram.ts");
      telegram = new Telegram({
        token: secrets.telegramBotToken,
        allowedUsers: secrets.telegramAllowedUsers,
        bot,
        log: (line) => console.log(`mmbot: ${scrub(line)}`),
        recent: recent(),
      });
      telegram.start();
    } else {
      console.log("mmbot: telegram off: TELEGRAM_BOT_TOKEN is not set (README → Telegram explains the set-up)");
    }
    if (config.http.enabled) {
      const app = createApp({
        engine,
        metrics: bot.metrics,
        history: new History(engine, 1000, recent()),
        version: pkg.version,
        runtime: "Bun" in globalThis ? "bun" : "deno",
        startedAt: Date.now(),
        token: secrets.httpToken,
        pause: () => engine.pause("http"),
        resume: () => engine.resume(),
        protectReads: !isLoopback(config.http.host),
      });
      try {
        http = serve(app.fetch, { hostname: config.http.host, port: config.http.port });
      } catch (e) {
        throw new ConfigError([
          `http.port: cannot listen on ${config.http.host}:${config.http.port} (${
            (e as Error).message
          }); choose another http.port or set http.enabled=false`,
        ]);
      }
      console.log(
        `mmbot: http on http://${config.http.host}:${http.port} (dashboard /, /health, /health/ready, /metrics, /api/status)`,
      );
    }
    const starting = engine.start().then(async () => {
      started = true;
      // the port may answer with a value or a promise
      grid = await Promise.resolve().then(() => bot.exchange.rules()).catch(() => grid);
    });
    starting.catch(() => {}); // a start that fails after a signal: the shutdown reports what is left
    await Promise.race([starting, stopping]);
    if (started) {
      const heapTrim = new HeapTrim();
      const loop = runLoop(engine, clock, {
        refreshMs: bot.config.strategy.refresh_s * 1000,
        signal: controller.signal,
        endTs: bot.endTs,
        beforeTick: () => bot.beforeTick(),
        afterTick: () => heapTrim.afterTick(),
      });
      loop.catch(() => {}); // after a signal nobody waits for it; before one, the race below rethrows
      // a signal does not wait for the tick in flight: the shutdown's bound counts from the signal
      const end = await Promise.race([loop, stopping.then(() => "stopped" as const)]);
      if (end === "data_ended") console.log(`mmbot: the replay data ended at ${isoMinute(bot.endTs!)}; stopping`);
    }
  } catch (e) {
    fatal = e;
  }
  // the one shutdown path, whatever stopped the bot (DESIGN §12)
  let left: Shutdown | null = null;
  try {
    left = await shutdown(engine, engine.config.risk.shutdown_timeout_s, stopAskedAt ?? Date.now());
    // the engine's own stop event alerts; when the bound ran out it never came: alert here
    if (left.timedOut) telegram?.alerter.handle({ type: "stop", ts: Date.now(), ...left });
    const b = engine.portfolio;
    const pnl = engine.status().pnl?.pnl ?? 0;
    console.log(
      `mmbot: stopped; cancelled ${left.cancelled} order(s)${
        b
          ? `; ${balancesText(b.base, b.quote, config.market.symbol, grid)}; ${b.fills} fills, pnl ${
            pnl.toFixed(2)
          } ${quote}`
          : ""
      }`,
    );
    const report = leftoverReport(left);
    if (report) console.error(`mmbot: ${report}`);
  } finally {
    // nothing here may hold the exit: Telegram gets a few seconds for the last alerts, the rest is local
    if (telegram) await within(10_000, telegram.stop(), () => undefined);
    await http?.close();
    await within(5_000, bot.close(), () => undefined);
    ledger.close();
  }
  const code = fatal ? failure(fatal) : 0;
  // orders known to rest, or a started bot that could not confirm none does, outrank any other cause
  const ordersLeft = left.resting.length > 0 || (!left.confirmed && started);
  return ordersLeft ? EXIT_ORDERS_LEFT : code;
}

/** `pause` / `resume`: writes the pause the running bot (or the next start) obeys, in the ledger it reads. */
function pauseCommand(config: Config, command: "pause" | "resume"): void {
  if (!existsSync(config.storage.path)) {
    // a mistyped path would create an empty ledger no bot reads, and say "paused"
    throw new LedgerError(
      `storage.path ${config.storage.path}: no ledger there; give the running bot's --config / --set storage.path=…`,
    );
  }
  const ledger = Ledger.open(config.storage.path);
  try {
    ledger.paused = command === "pause";
    ledger.pauseDetail = command === "pause" ? pauseDetail("cli") : null;
    console.log(
      command === "pause"
        ? `mmbot: paused (ledger ${ledger.path}); a running bot cancels its orders before its next tick, and stays paused across restarts until resume`
        : `mmbot: resumed (ledger ${ledger.path}); a running bot quotes again from its next tick`,
    );
  } finally {
    ledger.close();
  }
}

async function backtest(config: Config, cli: CliOptions): Promise<void> {
  if (cli.funding && config.market.type !== "perp") {
    throw new ConfigError([`--funding ${cli.funding}: funding applies to perpetuals; set market.type=perp`]);
  }
  let candles: Candle[] | CandleColumns, fundingRates = cli.funding ? loadFundingFile(cli.funding) : undefined;
  if (cli.data.length) {
    // one file: as columns, from the cache beside it when that is current (lib/venues/candle-cache.ts)
    const data = readCandleData(cli.data, { cache: true });
    for (const note of data.notes) console.log(`mmbot: ${note}`);
    candles = data.columns;
  } else {
    // the download folder, fetching what is missing (ccxt loads only then)
    const range = rangeProblem(cli.from, cli.to, Date.now());
    if ("problem" in range) throw new ConfigError([`command line: ${range.problem}`]);
    const { marketHistory } = await import("./lib/app/market-data.ts");
    const bar = process.stderr.isTTY ? progressBar(process.stderr, Date.now, "minutes") : null;
    const history = await marketHistory(config, range.fromTs, range.toTs, {
      offline: cli.offline,
      progress: (done, total) => bar?.update(Math.round(done), total),
    });
    bar?.end();
    for (const note of history.notes) console.log(`mmbot: ${note}`);
    candles = history.candles;
    fundingRates ??= history.fundingRates;
  }
  const { tick_size: tickSize, lot_size: lotSize, min_notional: minNotional } = config.market;
  const sizing = sizeWarning(
    config.strategy,
    { tickSize, lotSize, minNotional },
    candles instanceof CandleColumns ? candles.open[0] : candles[0].open,
    currencies(config.market.symbol)[1],
  );
  if (sizing) console.log(`mmbot: ${sizing}`);
  const tty = process.stdout.isTTY;
  const report = await (cli.mirror ? runMirroredBacktest : runBacktest)(config, candles, {
    fundingRates,
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
  if (process.argv[2] === "optimize") { // its own arguments; loads the lab only (lib/app/optimize-command.ts)
    const { optimizeCommand } = await import("./lib/app/optimize-command.ts");
    process.exit(await optimizeCommand(process.argv.slice(3)));
  }
  if (process.argv[2] === "download") { // its own arguments; ccxt loads once they are accepted
    const { downloadCommand } = await import("./lib/app/download-command.ts");
    process.exit(await downloadCommand(process.argv.slice(3)));
  }
  const cli = parseCli(process.argv.slice(2));
  if (cli.help) {
    console.log(USAGE);
    return;
  }
  // --symbol is market.symbol for this run (a --set after it would win the same way)
  const config = loadConfig(cli.configPath, cli.symbol ? [`market.symbol=${cli.symbol}`, ...cli.sets] : cli.sets);
  const secrets = loadSecrets(process.env);
  scrub = scrubber(secrets);
  if (cli.command === "backtest") return await backtest(config, cli);
  if (cli.command === "pause" || cli.command === "resume") return pauseCommand(config, cli.command);
  console.log(`mmbot: ${secretsLine(secrets)}`);
  process.exit(await run(config, cli, secrets));
}

if (import.meta.main) main().catch((e) => process.exit(failure(e)));
