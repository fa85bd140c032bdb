/**
 * Where a bot's market comes from, one kind each: replayed candles (paper, offline) or an exchange
 * through ccxt (paper on its live public data, or live orders). The opener (open.ts) does the rest
 * the same way for every kind: ledger, overrides, account, engine, recorder, controls.
 */
import type { Portfolio } from "../core/accounting.ts";
import { scrubber } from "../core/scrub.ts";
import { midOf } from "../core/steps.ts";
import { sizeWarning } from "../core/sizing.ts";
import { currencies } from "../core/format.ts";
import { type Candle, CANDLE_MS, type Clock } from "../core/types.ts";
import { requiredCandles } from "../core/indicators.ts";
import type { Config } from "../config/schema.ts";
import type { Secrets } from "../config/secrets.ts";
import { ConfigError } from "../config/validate.ts";
import { ScaledClock, systemClock } from "../engine/clock.ts";
import type { EngineOptions } from "../engine/engine.ts";
import { DataError } from "../venues/candles.ts";
import { LiveFeed } from "../venues/live-feed.ts";
import { PaperExchange } from "../venues/paper.ts";
import type { ExchangePort } from "../venues/port.ts";
import { ReplayFeed } from "../venues/replay-feed.ts";
import { readCandleColumns } from "../venues/candle-files.ts";
import type { CandleColumns } from "../core/candle-columns.ts";
import type { Account, Ledger } from "../storage/ledger.ts";

/** A source of market data (and of fills), before the account is known. */
export interface Source {
  /** the ledger's account kind: paper, paper:live:<exchange>, live:<exchange>[:sandbox] */
  kind: string;
  /** a new account's starting balances and the mid they are valued at */
  initialBalances(): Promise<{ base: number; quote: number; mid: number; note: string }>;
  /** the exchange port and clock for this account, continuing its portfolio */
  connect(ledger: Ledger, account: Account, portfolio: Portfolio): Connected;
  /** releases connections (websockets) */
  close(): Promise<void>;
  /** a warning when the configured order size cannot meet the venue's minimum notional at the price now */
  sizeCheck(): Promise<string | null>;
  /** 1m candles with open time in [fromTs, toTs), oldest first, for /backtest; `where` says where from */
  history(fromTs: number, toTs: number): Promise<{ candles: Candle[]; where: string }>;
}

export interface Connected {
  exchange: ExchangePort;
  clock: Clock;
  /** paper replay: its position in the data is kept per tick */
  replay: boolean;
  lastTradeId: EngineOptions["lastTradeId"];
  /** replay: when the data runs out */
  endTs?: number;
  /** before each tick: fresh public data for paper mode on a live feed */
  refresh?: () => Promise<void>;
  /** perp: where funding comes from (DESIGN §13) */
  funding?: EngineOptions["funding"];
}

/**
 * The replay's candles, read and checked (enough for the indicators' warm-up) before anything is created on disk:
 * a bad file leaves no ledger behind. Throws DataError.
 */
export function replayData(config: Config): CandleColumns {
  // as columns, as the replay holds them: a month of Candle objects (six boxed numbers each) was ~7 MB of the paper
  // run's live heap, which V8 then let grow in proportion (the soak)
  const candles = readCandleColumns(config.feed.path);
  new ReplayFeed(candles, config.market.tick_size).warmStart(requiredCandles(config.strategy), config.feed.path);
  return candles;
}

/** `mode: paper` on replayed candles: offline, a scaled clock starting after the indicators' warm-up. */
export function replaySource(
  config: Config,
  candles: CandleColumns = readCandleColumns(config.feed.path),
): Source {
  const feed = new ReplayFeed(candles, config.market.tick_size);
  const warmStart = feed.warmStart(requiredCandles(config.strategy), config.feed.path);
  return {
    kind: config.mode,
    initialBalances: () =>
      Promise.resolve({
        base: config.paper.initial_base,
        quote: config.paper.initial_quote,
        mid: midOf(feed.topOfBook(warmStart)!),
        note: "",
      }),
    connect(ledger, account, portfolio) {
      const saved = Number(ledger.getState(`replay_ts:${account.id}`));
      const start = saved > warmStart ? saved : warmStart;
      if (start >= feed.series.endTs) {
        throw new DataError(
          `${config.feed.path}: paper account #${account.id} has already replayed this file to its end; use --reset for a fresh account`,
        );
      }
      const clock = new ScaledClock(start, config.feed.speed);
      const balances = { base: portfolio.base, quote: portfolio.quote, entry: portfolio.avgCost };
      const exchange = new PaperExchange(feed, clock, config, balances);
      return {
        exchange,
        clock,
        replay: true,
        lastTradeId: null, // a fresh paper exchange: every fill it reports is new
        endTs: feed.series.endTs,
        funding: {
          source: { kind: "rates", rateAt: () => config.paper.funding_rate_8h },
          afterTs: null,
          credit: (q) => exchange.creditFunding(q),
        },
      };
    },
    close: () => Promise.resolve(),
    sizeCheck: () =>
      Promise.resolve(
        sizeWarning(
          config.strategy,
          {
            tickSize: config.market.tick_size,
            lotSize: config.market.lot_size,
            minNotional: config.market.min_notional,
          },
          midOf(feed.topOfBook(warmStart)!),
          currencies(config.market.symbol)[1],
        ),
      ),
    history(fromTs, toTs) {
      // the replayed file: the window before the replay clock, or the file's first days when the clock is
      // still too near its start for that window
      const span = toTs - fromTs, ts = candles.ts;
      const from = fromTs >= ts[0] ? fromTs : ts[0];
      const to = fromTs >= ts[0] ? toTs : from + span;
      let i = 0;
      while (i < candles.length && ts[i] < from) i++;
      let j = i;
      while (j < candles.length && ts[j] < to) j++;
      return Promise.resolve({
        candles: candles.candles(i, j),
        where: `the replay data ${config.feed.path}`,
      });
    },
  };
}

/** `mode: live` (ccxt, real orders) or `mode: paper` on the exchange's live public data. */
export async function venueSource(config: Config, secrets: Secrets, notes: string[]): Promise<Source> {
  const m = config.market;
  const trading = config.mode === "live";
  if (trading && (!secrets.exchangeApiKey || !secrets.exchangeApiSecret)) {
    throw new ConfigError([
      "mode: live needs EXCHANGE_API_KEY and EXCHANGE_API_SECRET in the environment (a key with trade permission only); to try without keys use mode=paper with feed.source=live",
    ]);
  }
  // ccxt (its one exchange class, ~30 MB) is loaded only by the modes that talk to an exchange
  const { CcxtExchange } = await import("../venues/ccxt.ts");
  const { exchange: venue, endpoint } = await CcxtExchange.open(config, { trading, secrets });
  const scrub = scrubber(secrets);
  try {
    const rules = await venue.rules();
    const where = !trading
      ? "public data only (paper fills)"
      : !m.sandbox
      ? "LIVE: real orders, real money"
      : m.exchange === "binanceusdm"
      ? "demo trading (Binance's futures testnet)"
      : "testnet";
    notes.push(
      `${m.exchange} ${m.symbol}: ${where}, REST ${endpoint}; tick ${rules.tickSize}, lot ${rules.lotSize}, min notional ${rules.minNotional} from the exchange`,
    );
    if (trading && m.type === "perp") notes.push(await venue.configurePerp(m.leverage, m.margin_mode));
    let feed: LiveFeed | null = null;
    if (!trading) {
      feed = new LiveFeed(venue, Math.max(requiredCandles(config.strategy), 120) + 1);
      await feed.refresh();
    }
    return {
      kind: trading ? `live:${m.exchange}${m.sandbox ? ":sandbox" : ""}` : `paper:live:${m.exchange}`,
      async initialBalances() {
        const inv = trading ? await venue.balances() : null;
        if (inv?.position && inv.entryPrice) {
          // a perp position held at start: its average cost continues from the venue's entry price, and the cash
          // is the wallet less what the position cost (cash-style, lib/core/accounting.ts)
          const wallet = inv.quote - (inv.unrealizedQuote ?? 0);
          return {
            base: inv.position,
            quote: wallet - inv.position * inv.entryPrice,
            mid: inv.entryPrice,
            note:
              ` (the exchange's position now, average cost from its entry price ${inv.entryPrice}; wallet ${wallet})`,
          };
        }
        return {
          base: inv ? inv.position ?? inv.base : config.paper.initial_base,
          quote: inv ? inv.quote : config.paper.initial_quote,
          mid: midOf(await venue.topOfBook()),
          note: trading ? " (the exchange's balances now)" : "",
        };
      },
      connect(ledger, account, portfolio) {
        // paper on live data trades with the exchange's real rules
        const paperConfig = {
          ...config,
          market: { ...m, tick_size: rules.tickSize, lot_size: rules.lotSize, min_notional: rules.minNotional },
        };
        const exchange = feed
          ? new PaperExchange(feed, systemClock, paperConfig, {
            base: portfolio.base,
            quote: portfolio.quote,
            entry: portfolio.avgCost,
          })
          : venue;
        // live: fills after the last one recorded (or after the venue's history when the account was opened); the
        // ledger's recent trade ids are never taken again, even where the venue cannot page after a trade id
        if (trading) venue.rememberTrades(ledger.fills(account.id, 1000).map((f) => f.tradeId));
        const watermark = ledger.lastTradeId(account.id) ?? ledger.getState(`trades_after:${account.id}`);
        const f = feed;
        const funding: Connected["funding"] = trading
          ? {
            source: { kind: "payments", since: (after) => venue.fundingSince(after) },
            // a new account books the payments made after it was opened
            afterTs: ledger.lastFundingTs(account.id) ?? account.created_ts,
          }
          : {
            source: { kind: "rates", rateAt: (ts) => venue.fundingRateAt(ts) },
            afterTs: null,
            credit: (q) => (exchange as PaperExchange).creditFunding(q),
          };
        return {
          exchange,
          clock: systemClock,
          replay: false,
          funding,
          lastTradeId: !trading ? null : watermark === null ? undefined : watermark || null,
          // a failed refresh leaves the book ageing: the risk gate stands aside once it is stale
          refresh: f
            ? () =>
              f.refresh().catch((e) => console.error(`mmbot: live data refresh failed: ${scrub((e as Error).message)}`))
            : undefined,
        };
      },
      close: () => venue.close(),
      sizeCheck: async () =>
        sizeWarning(config.strategy, rules, midOf(await venue.topOfBook()), currencies(m.symbol)[1]),
      async history(fromTs, toTs) {
        // the venue's own history, a page of up to 1000 closed candles per call (ccxt's rate limiter paces them)
        const out: Candle[] = [];
        let since = fromTs - CANDLE_MS;
        while (since + CANDLE_MS < toTs) {
          const page = await venue.closedCandles(since, 1000);
          const fresh = page.filter((c) => c.ts > since && c.ts < toTs);
          if (!fresh.length) break;
          out.push(...fresh);
          since = fresh[fresh.length - 1].ts;
        }
        return { candles: out, where: `${m.exchange}'s 1m candles` };
      },
    };
  } catch (e) {
    await venue.close().catch(() => {});
    throw e;
  }
}
