/**
 * The backtest's PnL attribution recomputed from the report's fills and the raw candle file, by code of its own:
 * the gzipped CSV read with node:zlib and split(), the price path inside a candle (open → first extreme at 20 s → second at 40 s →
 * close at 60 s; the low first in a rising candle) and the one-tick book around it written out again here.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { runBacktest } from "../../lib/lab/backtest.ts";
import { loadCandleFile } from "../../lib/venues/replay-feed.ts";
import { config } from "../fixtures.ts";

// ten days of real 1m candles each, bundled gzipped (tests/data/README.md)
const SPOT = "tests/data/binance_spot_ETHUSDT_1m_20240726_10d.csv.gz";
const PERP = "tests/data/binance_perp_ETHUSDT_1m_20241219_10d.csv.gz";
const DAYS = 10 * 24 * 60;

/** The candle file's first `n` rows as [ts, open, high, low, close, volume], read without the product's parser. */
function rows(file: string, n: number): number[][] {
  const text = new TextDecoder().decode(gunzipSync(readFileSync(file)));
  return text.trim().split("\n").slice(1, n + 1).map((l) => l.split(",").map(Number));
}

/** Mid of the one-tick book at time t: bid = the path price rounded down to the tick, ask one tick above. */
function midAt(candles: number[][], t: number, tick: number): number {
  const i = candles.findLastIndex((c) => c[0] <= t);
  const [ts, open, high, low, close] = candles[i];
  const up = close >= open;
  const times = [ts, ts + 20_000, ts + 40_000, ts + 60_000];
  const prices = [open, up ? low : high, up ? high : low, close];
  let price = close;
  for (let k = 1; k < 4; k++) {
    if (t <= times[k]) {
      price = prices[k - 1] + (prices[k] - prices[k - 1]) * (t - times[k - 1]) / 20_000;
      break;
    }
  }
  const decimals = Math.round(-Math.log10(tick));
  const bid = Number((Math.floor(price / tick + 1e-9) * tick).toFixed(decimals));
  return Number((bid + tick / 2).toFixed(decimals + 1));
}

describe("attribution recomputed from the fills and the candles", () => {
  test.each([
    ["spot ETH/USDT, natr_macd", SPOT, [] as string[]],
    ["perp ETH/USDT, natr_rsi", PERP, [
      "strategy.profile=natr_rsi",
      "market.type=perp",
      "paper.initial_base=0",
      "paper.initial_quote=5000",
      "market.lot_size=0.001",
    ]],
  ])("%s, 10 days", async (_name: string, file: string, sets: string[]) => {
    const cfg = config(...sets);
    const raw = rows(file, DAYS);
    const { summary: s, fills } = await runBacktest(cfg, loadCandleFile(file).slice(0, DAYS));
    expect(fills.length).toBeGreaterThan(50);
    const tick = cfg.market.tick_size;
    const start = Date.parse(s.start), end = Date.parse(s.end);

    // every fill carries the mid of the moment it traded, and that moment lies inside the run
    for (const f of fills) {
      expect(f.ts).toBeGreaterThanOrEqual(start);
      expect(f.ts).toBeLessThan(end);
      expect(f.mid).toBeCloseTo(midAt(raw, f.ts, tick), 9);
    }

    // spread: Σ (mid − price) × amount for buys, (price − mid) × amount for sells
    let spread = 0, fees = 0;
    for (const f of fills) {
      spread += (f.side === "buy" ? f.mid - f.price : f.price - f.mid) * f.amount;
      fees += f.fee_quote;
    }
    expect(s.spread_pnl_quote).toBeCloseTo(spread, 6);
    expect(s.fees_quote).toBeCloseTo(fees, 6);

    // inventory: what holding earned, Σ holding × Δmid between fills in time order, then to the final mid
    const ordered = [...fills].sort((a, b) => a.ts - b.ts);
    let base = s.initial_base, lastMid = midAt(raw, start, tick), inventory = 0;
    expect(s.initial_mid).toBeCloseTo(lastMid, 9);
    for (const f of ordered) {
      inventory += base * (f.mid - lastMid);
      base += f.side === "buy" ? f.amount : -f.amount;
      lastMid = f.mid;
    }
    inventory += base * (s.final_mid - lastMid);
    expect(s.inventory_pnl_quote).toBeCloseTo(inventory, 6);

    // and the parts add up to the PnL from the balances: (initial balances + fills − fees + funding) at the final
    // mid (funding_quote itself is recomputed from the fills, candles and rates in funding.test.ts)
    if (cfg.market.type === "perp") expect(s.funding_quote).not.toBe(0); // 0.01 % every 8 h on a position
    let quote = s.initial_quote + s.funding_quote;
    for (const f of fills) quote -= (f.side === "buy" ? 1 : -1) * f.price * f.amount + f.fee_quote;
    const pnl = base * s.final_mid + quote - (s.initial_base * s.initial_mid + s.initial_quote);
    expect(s.pnl_quote).toBeCloseTo(pnl, 6);
    expect(spread + inventory - fees + s.funding_quote).toBeCloseTo(pnl, 6);
    expect(s.spread_pnl_quote + s.inventory_pnl_quote - s.fees_quote + s.funding_quote).toBe(s.pnl_quote);

    // markouts: the mid's move against the side we took, 1 and 5 minutes on, bps of the mid at the fill
    for (const [horizon, reported] of [[60_000, s.markout_1m_bps], [300_000, s.markout_5m_bps]] as const) {
      const moves = fills.filter((f) => f.ts + horizon <= end).map((f) => {
        const later = midAt(raw, f.ts + horizon, tick);
        return (f.side === "buy" ? f.mid - later : later - f.mid) / f.mid * 10_000;
      });
      expect(reported).toBeCloseTo(moves.reduce((a, b) => a + b, 0) / moves.length, 9);
    }
  }, 60_000);
});

describe("skipped quotes and kill-switch trips", () => {
  test("a kill switch at 0.5 % trips once; every later tick skips both sides for it", async () => {
    const cfg = config("risk.max_drawdown_pct=0.5");
    const { summary: s } = await runBacktest(cfg, loadCandleFile(SPOT).slice(0, DAYS));
    expect(s.kill_switch_trips.length).toBe(1);
    const trip = Date.parse(s.kill_switch_trips[0].ts);
    expect(s.kill_switch_trips[0].drawdown_pct).toBeGreaterThanOrEqual(0.5);
    // the ticks run every refresh_s from the start; the one that trips pauses, each one after it stands aside
    const step = cfg.strategy.refresh_s * 1000, start = Date.parse(s.start), end = Date.parse(s.end);
    let after = 0;
    for (let t = start; t < end; t += step) if (t > trip) after++;
    expect(s.skipped.kill_switch).toBe(2 * after);
  }, 60_000);

  test("an order worth less than the minimum notional is skipped, both sides, and counted as such", async () => {
    // 0.001 ETH at ~3300 USDT is ~3.3 USDT, under a 5 USDT minimum: no order is ever placed
    const cfg = config("strategy.order_amount=0.001", "market.min_notional=5", "risk.max_drawdown_pct=50");
    const { summary: s } = await runBacktest(cfg, loadCandleFile(SPOT).slice(0, 2 * 24 * 60));
    expect(s.fills).toBe(0);
    expect(s.skipped.min_notional).toBeGreaterThan(0);
    // every tick after warm-up either quotes nothing for min notional, or stands aside for a named reason
    const sides = Object.values(s.skipped).reduce((a, b) => a + b, 0);
    expect(sides).toBe(2 * s.ticks);
  }, 60_000);

  test("same data and config, byte-identical report", async () => {
    const candles = loadCandleFile(SPOT).slice(0, 3 * 24 * 60);
    const a = await runBacktest(config(), candles), b = await runBacktest(config(), candles);
    expect(JSON.stringify({ summary: b.summary, fills: b.fills })).toBe(
      JSON.stringify({ summary: a.summary, fills: a.fills }),
    );
    expect(a.fills.length).toBeGreaterThan(10);
  }, 60_000);
});
