/**
 * Composition: one opener for every kind of bot. Start-up and crash recovery are one path: open the
 * ledger, apply its runtime overrides, find or open the account, rebuild its portfolio from the fills,
 * connect the source of market data, then wire the engine, the recorder and the controls. Nothing trades until
 * `engine.start()`.
 */
import { messageOf, plain } from "../core/format.ts";
import { midOf } from "../core/steps.ts";
import type { Clock } from "../core/types.ts";
import { type Config, schemaFields, settableAtRuntime } from "../config/schema.ts";
import type { Secrets } from "../config/secrets.ts";
import { ConfigError, getPath, withValue } from "../config/validate.ts";
import { Engine } from "../engine/engine.ts";
import { ledgerPauses } from "../storage/pauses.ts";
import { scrubber } from "../core/scrub.ts";
import type { ControlledBot } from "../control/bot.ts";
import { Metrics } from "../http/metrics.ts";
import { ProcessProbe } from "../engine/process.ts";
import type { ExchangePort } from "../venues/port.ts";
import { Ledger } from "../storage/ledger.ts";
import { acquireInstanceLock } from "../storage/lock.ts";
import { recorder } from "../storage/recorder.ts";
import { replayData, replaySource, type Source, venueSource } from "./sources.ts";

/** A bot ready to start: what mod.ts, Telegram and HTTP hold on to. */
export interface RunningBot extends ControlledBot {
  config: Config;
  clock: Clock;
  exchange: ExchangePort;
  metrics: Metrics;
  /** the process's memory, CPU and event-loop lag (/metrics, /status) */
  process: ProcessProbe;
  /** replay only: when the data runs out */
  endTs?: number;
  /** lines worth telling the user at start */
  notes: string[];
  /** before each tick: a pause or resume written elsewhere (`mmbot pause`), and fresh public data for paper mode on a live feed */
  beforeTick(): Promise<void>;
  /** releases the exchange connection (websockets) and the ledger's instance lock */
  close(): Promise<void>;
}

export interface OpenOptions {
  /** start a fresh account (the ledger keeps the old one) */
  reset: boolean;
  secrets: Secrets;
}

/** Opens a bot of the kind the config asks for: paper on replayed candles, paper on live data, or live. */
export async function openBot(base: Config, opts: OpenOptions): Promise<RunningBot> {
  const notes: string[] = [];
  const scrub = scrubber(opts.secrets);
  // the replay's data is read and accepted before anything is created on disk: a bad file leaves no ledger behind
  const candles = base.mode === "paper" && base.feed.source === "replay" ? replayData(base) : null;
  // one bot per ledger: taken before the ledger is read, held until close() (DESIGN §12)
  const lock = acquireInstanceLock(base.storage.path);
  let ledger: Ledger;
  try {
    ledger = Ledger.open(base.storage.path);
  } catch (e) {
    lock.release();
    throw e;
  }
  let source: Source | null = null;
  try {
    const config = applyOverrides(base, ledger.overrides(), notes);
    source = config.mode === "paper" && config.feed.source === "replay"
      ? replaySource(config, candles ?? undefined)
      : await venueSource(config, opts.secrets, notes);
    const kind = source.kind;
    const existing = opts.reset ? null : ledger.currentAccount(kind, config.market.symbol);
    let account = existing;
    if (!account) {
      const initial = await source.initialBalances();
      account = ledger.openAccount({
        created_ts: Date.now(),
        mode: kind,
        symbol: config.market.symbol,
        initial_base: initial.base,
        initial_quote: initial.quote,
        initial_mid: initial.mid,
      });
      notes.push(
        `${opts.reset ? "--reset: " : ""}new ${kind} account #${account.id}: ${plain(initial.base)} base, ${
          plain(initial.quote)
        } quote${initial.note}`,
      );
    }
    const portfolio = ledger.portfolio(account);
    if (existing) {
      notes.push(
        `continuing ${kind} account #${account.id}: ${plain(portfolio.base)} base, ${
          plain(portfolio.quote)
        } quote after ${portfolio.fills} fills (--reset starts a fresh one)`,
      );
    }
    const connected = source.connect(ledger, account, portfolio);
    const sizeWarning = await source.sizeCheck();
    if (sizeWarning) notes.push(sizeWarning);
    const probe = new ProcessProbe().start();
    const metrics = new Metrics(probe);
    const exchange = metrics.instrument(connected.exchange);
    const engine: Engine = new Engine({
      config,
      exchange,
      clock: connected.clock,
      pauses: ledgerPauses(ledger, account.id),
      record: recorder(ledger, account, {
        replay: connected.replay,
        prefix: config.market.client_order_prefix,
        equityNow: () => {
          const top = engine.topOfBook, p = engine.portfolio;
          return top && p ? { mid: midOf(top), base: p.base, quote: p.quote } : null;
        },
      }),
      scrub,
      lastTradeId: connected.lastTradeId,
      funding: connected.funding,
      portfolio,
      held: {
        base: account.initial_base,
        quote: account.initial_quote,
        equity: account.initial_base * account.initial_mid + account.initial_quote,
      },
    });
    if (ledger.paused) {
      notes.push(
        `paused (set before the restart): ${
          ledger.pauseDetail ?? "paused"
        }; \`deno run -P mod.ts resume\` or /resume to quote`,
      );
    }
    if (ledger.killSwitch) notes.push("kill switch still tripped; resume to quote again");
    const foreign = ledger.openOrderIds(account.id).filter((id) => !id.startsWith(config.market.client_order_prefix));
    if (foreign.length) {
      notes.push(
        `WARNING: the ledger lists ${foreign.length} open order(s) under another client_order_prefix (${
          foreign.slice(0, 5).join(", ")
        }): this run cannot see or cancel them; check the exchange, or restart with the old prefix to cancel them`,
      );
    }
    metrics.watch(engine);
    const src = source;
    const bot: RunningBot = {
      config,
      engine,
      ledger,
      account,
      clock: connected.clock,
      exchange,
      metrics,
      process: probe,
      notes,
      endTs: connected.endTs,
      async beforeTick() {
        // never throws: a failure here must not end the loop and skip the shutdown
        try {
          await engine.heedPauseStore();
        } catch (e) {
          console.error(`mmbot: cannot read the pause flag: ${scrub(messageOf(e))}`);
        }
        await connected.refresh?.();
      },
      async close() {
        probe.stop();
        try {
          await src.close();
        } finally {
          lock.release();
        }
      },
      setParam(path, text) {
        return bot.config = changeParam(engine, ledger, base, path, text);
      },
      unsetParam(path) {
        return bot.config = changeParam(engine, ledger, base, path, null);
      },
      candleHistory: (fromTs, toTs) => src.history(fromTs, toTs),
    };
    return bot;
  } catch (e) {
    await source?.close().catch(() => {});
    ledger.close();
    lock.release();
    throw e;
  }
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
