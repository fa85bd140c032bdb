/**
 * Settings that are valid one by one and break the bot together. Each rule names both keys, their values and
 * what would happen; checked at start (config file and --set) and on every /set, so no pair can be reached.
 */
import type { Config } from "./schema.ts";

/** A closed 1m candle is up to this old at any moment (the candle period), seconds. */
const CANDLE_S = 60;

export function coherenceProblems(c: Config): string[] {
  const problems: string[] = [];
  const { refresh_s } = c.strategy;
  const { dead_man_s, max_book_age_s, shutdown_timeout_s } = c.risk;
  const perp = c.market.type === "perp";
  if (dead_man_s > 0 && dead_man_s <= 2 * refresh_s) {
    problems.push(
      `risk.dead_man_s (${dead_man_s}) must exceed twice strategy.refresh_s (${refresh_s}): the venue's dead-man switch would cancel every order of ours between two ticks (and after one slow tick), and the bot would re-place them each time; raise risk.dead_man_s above ${
        2 * refresh_s
      } or set it to 0 (off)`,
    );
  }
  if (max_book_age_s < refresh_s) {
    problems.push(
      `risk.max_book_age_s (${max_book_age_s}) must be at least strategy.refresh_s (${refresh_s}): the order book is read once a tick, so it would count as stale (stale_book) between ticks and the bot would stand aside`,
    );
  }
  if (dead_man_s > 0 && shutdown_timeout_s > dead_man_s) {
    problems.push(
      `risk.shutdown_timeout_s (${shutdown_timeout_s}) must not exceed risk.dead_man_s (${dead_man_s}): the venue's dead-man switch would cancel our orders in the middle of the shutdown's own cancels, and its report could not say which orders we cancelled and which the venue did`,
    );
  }
  if (c.strategy.max_candle_age_s <= CANDLE_S) {
    problems.push(
      `strategy.max_candle_age_s (${c.strategy.max_candle_age_s}) must exceed the candle period (${CANDLE_S} s): the last closed 1m candle is up to a minute old at any moment, so the bot would stand aside (stale_candles) for part of every minute`,
    );
  }
  if (perp && c.strategy.order_value_quote > c.strategy.max_position_notional) {
    problems.push(
      `strategy.order_value_quote (${c.strategy.order_value_quote}) must not exceed strategy.max_position_notional (${c.strategy.max_position_notional}): a single order would pass the position limit, so the bot could never quote the side that opens a position`,
    );
  }
  if (perp && c.paper.maintenance_margin_pct >= 100 / c.market.leverage && c.mode === "paper") {
    problems.push(
      `paper.maintenance_margin_pct (${c.paper.maintenance_margin_pct}) must be below the initial margin of market.leverage (${c.market.leverage}×: ${+(100 /
        c.market.leverage).toFixed(
          4,
        )} %): every position would open at or past its liquidation price and the paper venue would liquidate it at once`,
    );
  }
  const guardPct = c.risk.liquidation_guard_pct;
  if (perp && c.market.margin_mode === "isolated" && guardPct > 0) {
    // an isolated position opens this far from its liquidation price, whatever the collateral: a short at entry E is
    // liquidated at E (1 + 1/L) / (1 + mmr), the nearer of the two sides (a long: E (1 − 1/L) / (1 − mmr))
    const mmr = c.paper.maintenance_margin_pct / 100;
    const atEntryPct = 100 * (1 / c.market.leverage - mmr) / (1 + mmr);
    if (atEntryPct <= guardPct) {
      const highest = 1 / (guardPct / 100 * (1 + mmr) + mmr);
      problems.push(
        `risk.liquidation_guard_pct (${guardPct}) must be below the liquidation distance at entry of market.leverage (${c.market.leverage}× isolated: ${
          atEntryPct.toFixed(2)
        } %, with paper.maintenance_margin_pct ${c.paper.maintenance_margin_pct} %): the guard would stop the side that adds from the first fill, so the position could never grow past one order; lower market.leverage below ${
          highest.toFixed(2)
        } or risk.liquidation_guard_pct below ${atEntryPct.toFixed(2)} (0: off)`,
      );
    }
  }
  return problems;
}
