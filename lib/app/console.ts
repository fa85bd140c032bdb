/** The console of a running bot: one line per tick and one per notable event, on stdout (errors on stderr). */
import type { EngineEvent } from "../core/events.ts";
import { currencies, isoMinute, onLot, onTick, plain, signed } from "../core/format.ts";
import type { MarketRules } from "../core/types.ts";
import type { Secrets } from "../config/secrets.ts";
import { feeFloorWarning } from "../core/spreads.ts";
import { isLiquidation } from "../core/margin.ts";
import type { Engine } from "../engine/engine.ts";
import type { EngineStatus } from "../engine/status.ts";

/** The market's price and amount steps: every price, size and balance is printed on them. */
export type Grid = Pick<MarketRules, "tickSize" | "lotSize">;

/** e.g. `2024-05-01 03:34:00 mid 2990.12 | bid 2988.40 (5.8 bp) ask 2991.05 (3.1 bp) | inv 0.50 | pnl +1.20 USDT, 3 fills` */
export function tickLine(s: EngineStatus, g: Grid): string {
  const [, quote] = currencies(s.symbol);
  const parts = [isoMinute(s.ts)];
  if (s.mid !== null) parts.push(`mid ${onTick(s.mid, g.tickSize)}`);
  const d = s.decision;
  if (s.state === "quoting" && d?.action === "quote") {
    const bid = d.bid ? `bid ${onTick(d.bid.price, g.tickSize)} (${d.figures.bidDistanceBps!.toFixed(1)} bp)` : "bid –";
    const ask = d.ask ? `ask ${onTick(d.ask.price, g.tickSize)} (${d.figures.askDistanceBps!.toFixed(1)} bp)` : "ask –";
    parts.push(`| ${bid} ${ask}`);
  } else {
    parts.push(`| ${s.state.replace("_", " ")}${s.detail ? `: ${s.detail}` : ""}`);
  }
  if (s.inventoryRatio !== null) parts.push(`| inv ${s.inventoryRatio.toFixed(3)}`);
  if (s.pnl) parts.push(`| pnl ${signed(s.pnl.pnl)} ${quote}, ${s.pnl.fills} fills`);
  return parts.join(" ");
}

/** `secrets from the environment: TELEGRAM_BOT_TOKEN set, TELEGRAM_ALLOWED_USERS 4242, EXCHANGE_API_KEY not set, …` */
export function secretsLine(s: Secrets): string {
  const mark = (name: string, v: unknown) => `${name} ${v ? "set" : "not set"}`;
  return `secrets from the environment: ${
    [
      mark("TELEGRAM_BOT_TOKEN", s.telegramBotToken),
      s.telegramAllowedUsers.length
        ? `TELEGRAM_ALLOWED_USERS ${s.telegramAllowedUsers.join(",")}`
        : "TELEGRAM_ALLOWED_USERS not set",
      mark("EXCHANGE_API_KEY", s.exchangeApiKey),
      mark("EXCHANGE_API_SECRET", s.exchangeApiSecret),
      mark("HTTP_TOKEN", s.httpToken),
    ].join(", ")
  }`;
}

/** `balances 0.4064 ETH, 4718.18 USDT` on the market's grid. */
export function balancesText(base: number, quote: number, symbol: string, g: Grid): string {
  const [b, q] = currencies(symbol);
  return `balances ${onLot(base, g.lotSize)} ${b}, ${onTick(quote, g.tickSize)} ${q}`;
}

/** Prints the engine's ticks, fills, errors and state changes as they happen, on the market's grid. */
export function logToConsole(engine: Engine, grid: () => Grid): void {
  const [base, quote] = currencies(engine.config.market.symbol);
  let feeChecked = false;
  engine.on((e: EngineEvent) => {
    if (e.type === "tick" && !feeChecked) {
      // once, at the first tick with a NATR: do the configured spreads sit under the maker fee?
      const { indicators } = engine.status(), c = engine.config;
      if (indicators.natr !== null || c.strategy.profile === "fixed") {
        feeChecked = true;
        const warning = feeFloorWarning(c.strategy, c.market.maker_fee_bps, indicators.natr);
        // with the floor on it is the floor at work (the shipped natr_macd's bid sits on it): said, not warned
        if (warning) console.log(`mmbot: ${c.strategy.fee_floor ? "" : "warning: "}fee floor: ${warning}`);
      }
    }
    const g = grid();
    // stamped with the tick's own time, the one the ledger records as the replay position: the clock has moved on
    // by the time the line is printed (at feed.speed=3000 a 7 ms delay is 21 s of replay), and a restart must never
    // resume before a tick the console showed
    if (e.type === "tick") console.log(tickLine(engine.tickStatus(), g));
    else if (e.type === "fill") {
      const f = e.fill;
      console.log(
        `${isoMinute(f.ts)} ${isLiquidation(f) ? "LIQUIDATED" : "FILL"} ${f.side} ${
          onLot(f.amount, g.lotSize)
        } ${base} @ ${onTick(f.price, g.tickSize)} (fee ${f.feeQuote.toFixed(4)} ${quote}), inventory ${
          e.inventoryRatio.toFixed(3)
        } [${f.tradeId}]`,
      );
    } else if (e.type === "error") console.error(`${isoMinute(e.ts)} error (${e.consecutive} in a row): ${e.message}`);
    else if (e.type === "paused") console.log(`${isoMinute(e.ts)} paused; cancelled ${e.cancelled} order(s)`);
    else if (e.type === "resumed") console.log(`${isoMinute(e.ts)} resumed`);
    else if (e.type === "funding") {
      const p = e.payment;
      const how = p.rate === null
        ? "the venue's payment"
        : `${plain(p.positionBase!)} ${base} × ${p.price} × rate ${p.rate}`;
      console.log(`${isoMinute(e.ts)} FUNDING ${signed(p.amountQuote, 4)} ${quote} (${how})`);
    } else if (e.type === "liquidation_guard") {
      console.log(`${isoMinute(e.ts)} liquidation guard ${e.state}: ${e.detail}`);
    } else if (
      e.type === "kill_switch" || e.type === "inventory_limit" || e.type === "stale_book" ||
      e.type === "stale_candles" || e.type === "error_breaker"
    ) {
      console.log(`${isoMinute(e.ts)} ${e.type.replace("_", " ")}: ${detailText(e)}`);
    }
  });
}

/** An event's fields as `key value` pairs (numbers without float dust), not raw JSON. */
function detailText(e: EngineEvent): string {
  return Object.entries(e)
    .filter(([k, v]) => k !== "type" && k !== "ts" && v !== undefined && v !== null)
    .map(([k, v]) => `${k} ${typeof v === "number" ? plain(v) : String(v)}`)
    .join(", ");
}

/**
 * A dependency's deprecation the user did not cause and cannot act on: grammY's Node build loads
 * node-fetch@2 → whatwg-url → tr46, which requires Node's `punycode` (DEP0040). Only that one code is
 * dropped; every other warning still prints.
 */
export function muteDependencyDeprecations(proc: { emitWarning: (...a: never[]) => void }): void {
  const emit = proc.emitWarning.bind(proc) as (...a: unknown[]) => void;
  const codeOf = (args: unknown[]) =>
    typeof args[1] === "object" && args[1] ? (args[1] as { code?: string }).code : args[2];
  (proc as { emitWarning: (...a: unknown[]) => void }).emitWarning = (...args: unknown[]) => {
    if (codeOf(args) === "DEP0040" || /`punycode` module is deprecated/.test(String(args[0]))) return;
    emit(...args);
  };
}
