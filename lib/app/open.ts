/**
 * Wiring of a running bot: ledger, exchange, engine and the recorder that writes every event to the
 * ledger. Start-up and crash recovery are one path: open the ledger, restore state, reconcile, quote.
 */
import type { Book } from "../core/accounting.ts";
import { CcxtExchange } from "../venues/ccxt.ts";
import { type Clock, ScaledClock, systemClock } from "../engine/clock.ts";
import { LiveMarket } from "../venues/live-feed.ts";
import {
  type Config,
  ConfigError,
  getPath,
  schemaFields,
  type Secrets,
  settableAtRuntime,
  withValue,
} from "../config/config.ts";
import { DataError } from "../venues/candles.ts";
import { Engine, type EngineOptions } from "../engine/engine.ts";
import type { ExchangePort } from "../venues/port.ts";
import { CANDLE_MS, requiredCandles } from "../core/indicators.ts";
import { type Account, Ledger } from "../storage/ledger.ts";
import { Metrics } from "../http/metrics.ts";
import { PaperExchange } from "../venues/paper.ts";
import { midOf } from "../core/quoting.ts";
import { plain } from "../core/format.ts";
import { loadCandleFile, ReplayMarket } from "../venues/replay-feed.ts";

export interface Bot {
  config: Config;
  engine: Engine;
  ledger: Ledger;
  account: Account;
  clock: Clock;
  exchange: ExchangePort;
  metrics: Metrics;
  /** replay only: when the data runs out */
  endTs?: number;
  /** lines worth telling the user at start */
  notes: string[];
  /** picks up a pause / resume written to the ledger by another process (`mmbot pause`) */
  syncControl(): Promise<void>;
  /** before each tick: control flags, and fresh public data for paper mode on a live feed */
  beforeTick(): Promise<void>;
  /** releases the exchange connection (websockets) */
  close(): Promise<void>;
  /**
   * Changes one parameter of the running bot (/set): validated like the config file, kept in the
   * ledger across restarts, applied from the next tick. Throws ConfigError, changing nothing.
   */
  setParam(path: string, text: string): Config;
  /** Drops a /set override: the config file's value applies again. */
  unsetParam(path: string): Config;
}

/** The /set rules, shared by every kind of bot. `text` null: back to `base` (the config file's value). */
export function changeParam(engine: Engine, ledger: Ledger, base: Config, path: string, text: string | null): Config {
  if (!settableAtRuntime(path)) {
    const known = schemaFields().some(([p]) => p === path);
    throw new ConfigError([
      known
        ? `${path}: cannot be changed while running; edit the config file and restart (/params lists what /set can change)`
        : `${path}: unknown key; /params lists the keys /set can change`,
    ]);
  }
  const next = withValue(engine.config, path, text ?? String(getPath(base, path)));
  if (text === null) ledger.clearOverride(path);
  else ledger.setOverride(path, text.trim());
  engine.reconfigure(next);
  return next;
}

const EQUITY_EVERY_MS = 60_000;

/** Applies runtime overrides saved in the ledger; an override that no longer validates is skipped with a note. */
function applyOverrides(config: Config, overrides: Record<string, string>, notes: string[]): Config {
  let c = config;
  for (const [path, text] of Object.entries(overrides)) {
    try {
      c = withValue(c, path, text);
      notes.push(`runtime override kept from the ledger: ${path} = ${text}`);
    } catch (e) {
      notes.push(`runtime override ${path} = ${text} from the ledger is ignored: ${(e as ConfigError).message}`);
    }
  }
  return c;
}

/** Opens everything for `mode: paper` on replayed candles; nothing trades until `engine.start()`. */
export function openPaperReplayBot(base: Config, opts: { reset: boolean }): Bot {
  const notes: string[] = [];
  const ledger = Ledger.open(base.storage.path);
  try {
    const config = applyOverrides(base, ledger.overrides(), notes);
    const candles = loadCandleFile(config.feed.path);
    const market = new ReplayMarket(candles, config.market.tick_size);
    const warmStart = candles[0].ts + requiredCandles(config.strategy) * CANDLE_MS;
    if (warmStart >= market.series.endTs) {
      throw new DataError(`${config.feed.path}: ${candles.length} candles are fewer than the indicators need`);
    }

    const existing = opts.reset ? null : ledger.currentAccount(config.mode, config.market.symbol);
    const account = existing ?? ledger.openAccount({
      created_ts: Date.now(),
      mode: config.mode,
      symbol: config.market.symbol,
      initial_base: config.paper.initial_base,
      initial_quote: config.paper.initial_quote,
      initial_mid: midOf(market.book(warmStart)!),
    });
    const book = ledger.book(account);
    let start = warmStart;
    if (!existing) {
      notes.push(
        `${
          opts.reset ? "--reset: " : ""
        }fresh paper account #${account.id}: ${account.initial_base} base, ${account.initial_quote} quote`,
      );
    } else {
      const saved = Number(ledger.getState(`replay_ts:${account.id}`));
      if (saved > start) start = saved;
      notes.push(
        `continuing paper account #${account.id}: ${plain(book.base)} base, ${
          plain(book.quote)
        } quote after ${book.fills} fills (--reset starts a fresh one)`,
      );
    }
    if (start >= market.series.endTs) {
      throw new DataError(
        `${config.feed.path}: paper account #${account.id} has already replayed this file to its end; use --reset for a fresh account`,
      );
    }

    const clock = new ScaledClock(start, config.feed.speed);
    const metrics = new Metrics();
    const exchange = metrics.instrument(
      new PaperExchange(market, clock, config, { base: book.base, quote: book.quote }),
    );
    return assemble({ base, config, ledger, account, book, clock, exchange, metrics, notes, replay: true }, {
      lastTradeId: null, // a fresh paper exchange: every fill it reports is new
      endTs: market.series.endTs,
    });
  } catch (e) {
    ledger.close();
    throw e;
  }
}

type Parts = Omit<Bot, "engine" | "syncControl" | "beforeTick" | "close" | "setParam" | "unsetParam" | "endTs"> & {
  /** the config file's values, before ledger overrides (what /unset returns to) */
  base: Config;
  /** the books rebuilt from the ledger's fills: PnL continues across restarts */
  book: Book;
  replay: boolean;
};

/** The common tail of every opener: restored-state notes, metrics, the ledger recorder, controls. */
function assemble(
  p: Parts,
  extra: {
    lastTradeId: EngineOptions["lastTradeId"];
    endTs?: number;
    refresh?: () => Promise<void>;
    close?: () => Promise<void>;
  },
): Bot {
  const { base, ledger, account, notes } = p;
  const engine = new Engine({
    config: p.config,
    exchange: p.exchange,
    clock: p.clock,
    paused: ledger.paused,
    killSwitch: ledger.killSwitch,
    lastTradeId: extra.lastTradeId,
    book: p.book,
    initialEquity: account.initial_base * account.initial_mid + account.initial_quote,
  });
  if (ledger.paused) notes.push("paused (set before the restart); `deno run -P mod.ts resume` or /resume to quote");
  if (ledger.killSwitch) notes.push("kill switch still tripped; resume to quote again");
  p.metrics.watch(engine);
  record(engine, ledger, account, { replay: p.replay });
  const bot: Bot = {
    config: p.config,
    engine,
    ledger,
    account,
    clock: p.clock,
    exchange: p.exchange,
    metrics: p.metrics,
    notes,
    endTs: extra.endTs,
    async syncControl() {
      const want = ledger.paused;
      if (want && !engine.paused) await engine.pause();
      else if (!want && engine.paused) engine.resume();
    },
    async beforeTick() {
      await bot.syncControl();
      await extra.refresh?.();
    },
    close: extra.close ?? (() => Promise.resolve()),
    setParam(path, text) {
      return bot.config = changeParam(engine, ledger, base, path, text);
    },
    unsetParam(path) {
      return bot.config = changeParam(engine, ledger, base, path, null);
    },
  };
  return bot;
}

/** Writes the engine's events to the ledger, synchronously, before anyone else hears of them. */
function record(engine: Engine, ledger: Ledger, account: Account, opts: { replay: boolean }): void {
  let lastEquityTs = 0;
  engine.on((e) => {
    switch (e.type) {
      case "fill":
        ledger.recordFill(account.id, e.fill, e.spreadCaptureBps);
        break;
      case "order_placed":
        ledger.recordOrder(account.id, e.order, e.ts);
        break;
      case "order_cancelled":
        ledger.setOrderStatus(e.order.clientOrderId, "canceled", e.ts);
        break;
      case "paused":
        ledger.paused = true;
        break;
      case "resumed":
        ledger.paused = false;
        ledger.killSwitch = false;
        break;
      case "kill_switch":
        ledger.killSwitch = true;
        break;
      case "start":
        // a new account's fills start after whatever the venue already had
        if (ledger.getState(`trades_after:${account.id}`) === null) {
          ledger.setState(`trades_after:${account.id}`, engine.lastTradeId ?? "");
        }
        break;
      case "tick": {
        if (opts.replay) ledger.setState(`replay_ts:${account.id}`, String(e.ts));
        const m = engine.market, b = engine.book;
        if (m && b && e.ts - lastEquityTs >= EQUITY_EVERY_MS) {
          lastEquityTs = e.ts;
          ledger.recordEquity(account.id, e.ts, midOf(m), b.base, b.quote);
        }
        break;
      }
    }
  });
}

/** Opens everything for `mode: live` (ccxt, real orders) or `mode: paper` on the exchange's live public data. */
export async function openVenueBot(base: Config, opts: { reset: boolean; secrets: Secrets }): Promise<Bot> {
  const notes: string[] = [];
  const ledger = Ledger.open(base.storage.path);
  let venue: CcxtExchange | null = null;
  try {
    const config = applyOverrides(base, ledger.overrides(), notes);
    const m = config.market;
    const trading = config.mode === "live";
    if (trading && (!opts.secrets.exchangeApiKey || !opts.secrets.exchangeApiSecret)) {
      throw new ConfigError([
        "mode: live needs EXCHANGE_API_KEY and EXCHANGE_API_SECRET in the environment (a key with trade permission only); to try without keys use mode=paper with feed.source=live",
      ]);
    }
    const opened = await CcxtExchange.open(config, { trading, secrets: opts.secrets });
    venue = opened.exchange;
    const rules = await venue.rules();
    const where = !trading
      ? "public data only (paper fills)"
      : !m.sandbox
      ? "LIVE: real orders, real money"
      : m.exchange === "binanceusdm"
      ? "demo trading (Binance's futures testnet)"
      : "testnet";
    notes.push(
      `${m.exchange} ${m.symbol}: ${where}, REST ${opened.endpoint}${
        config.feed.websocket ? " (order book over websocket)" : ""
      }; tick ${rules.tickSize}, lot ${rules.lotSize}, min notional ${rules.minNotional} from the exchange`,
    );
    const clock = systemClock;
    const kind = trading ? `live:${m.exchange}${m.sandbox ? ":sandbox" : ""}` : `paper:live:${m.exchange}`;
    const existing = opts.reset ? null : ledger.currentAccount(kind, m.symbol);
    let market: LiveMarket | null = null;
    if (!trading) {
      market = new LiveMarket(venue, Math.max(requiredCandles(config.strategy), 120) + 1);
      await market.refresh();
    }
    let account = existing;
    if (!account) {
      const inv = trading ? await venue.balances() : null;
      account = ledger.openAccount({
        created_ts: Date.now(),
        mode: kind,
        symbol: m.symbol,
        initial_base: inv ? inv.position ?? inv.base : config.paper.initial_base,
        initial_quote: inv ? inv.quote : config.paper.initial_quote,
        initial_mid: midOf(await venue.snapshot()),
      });
      notes.push(
        `${opts.reset ? "--reset: " : ""}new ${kind} account #${account.id}: ${plain(account.initial_base)} base, ${
          plain(account.initial_quote)
        } quote${trading ? " (the exchange's balances now)" : ""}`,
      );
    }
    const book = ledger.book(account);
    if (existing) {
      notes.push(
        `continuing ${kind} account #${account.id}: ${plain(book.base)} base, ${
          plain(book.quote)
        } quote after ${book.fills} fills`,
      );
    }
    const metrics = new Metrics();
    // paper on live data trades with the exchange's real rules
    const paperConfig = {
      ...config,
      market: { ...m, tick_size: rules.tickSize, lot_size: rules.lotSize, min_notional: rules.minNotional },
    };
    const port: ExchangePort = market
      ? new PaperExchange(market, clock, paperConfig, { base: book.base, quote: book.quote })
      : venue;
    const exchange = metrics.instrument(port);
    // live: fills after the last one recorded (or after the venue's history when the account was opened)
    const watermark = ledger.lastTradeId(account.id) ?? ledger.getState(`trades_after:${account.id}`);
    const v = venue;
    return assemble({ base, config, ledger, account, book, clock, exchange, metrics, notes, replay: false }, {
      lastTradeId: !trading ? null : watermark === null ? undefined : watermark || null,
      // a failed refresh leaves the book ageing: the risk gate stands aside once it is stale
      refresh: async () => {
        await market?.refresh().catch((e) => console.error(`mmbot: live data refresh failed: ${(e as Error).message}`));
      },
      close: () => v.close(),
    });
  } catch (e) {
    await venue?.close().catch(() => {});
    ledger.close();
    throw e;
  }
}
