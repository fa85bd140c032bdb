/**
 * The live market as a picture (/chart): price candles with our bid and ask and our fills, equity, and
 * inventory, over the last hours. A self-contained SVG (rendered to PNG by picture.ts), a sibling of the
 * backtest chart (chart.ts).
 */
import type { Candle, Side } from "../core/types.ts";

export interface MarketPicture {
  title: string;
  /** 1m candles, oldest first */
  candles: readonly Candle[];
  /** our quotes over time (null: no quote on that side) */
  quotes: readonly { ts: number; bid: number | null; ask: number | null }[];
  fills: readonly { ts: number; side: Side; price: number }[];
  equity: readonly { ts: number; value: number }[];
  /** spot: base share of equity; perp: 0.5 + position share of the limit */
  inventory: readonly { ts: number; value: number }[];
  /** the window shown, ms */
  fromTs: number;
  toTs: number;
  /** decimals of the tick, for price labels */
  priceDecimals: number;
}

const W = 1000, LEFT = 78, RIGHT = 16, TOP = 44, GAP = 34;
const PRICE_H = 300, PANEL_H = 120;
/** At most this many candle bars: more minutes are merged into one bar. */
const MAX_BARS = 240;
const GREEN = "#1a7f37", RED = "#cf222e";

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
const hhmm = (ts: number) => new Date(ts).toISOString().slice(11, 16);
const day = (ts: number) => new Date(ts).toISOString().slice(0, 10);

/** At most this many points per line (a day of 15 s ticks is 5760): every n-th, and the last. */
const MAX_POINTS = 1500;
function thin<T>(points: readonly T[]): readonly T[] {
  const step = Math.ceil(points.length / MAX_POINTS);
  if (step <= 1) return points;
  const out = points.filter((_, i) => i % step === 0);
  if ((points.length - 1) % step) out.push(points[points.length - 1]);
  return out;
}

/** Merges consecutive 1m candles into bars of `n` minutes. */
export function mergeCandles(candles: readonly Candle[], n: number): Candle[] {
  if (n <= 1) return [...candles];
  const out: Candle[] = [];
  for (const c of candles) {
    const start = Math.floor(c.ts / (n * 60_000)) * n * 60_000;
    const last = out[out.length - 1];
    if (last && last.ts === start) {
      last.high = Math.max(last.high, c.high);
      last.low = Math.min(last.low, c.low);
      last.close = c.close;
      last.volume += c.volume;
    } else out.push({ ts: start, open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume });
  }
  return out;
}

export function marketSvg(p: MarketPicture): string {
  const span = Math.max(60_000, p.toTs - p.fromTs);
  const x = (t: number) => LEFT + (t - p.fromTs) / span * (W - LEFT - RIGHT);
  const parts: string[] = [];
  const frame = (top: number, h: number, label: string, lo: number, hi: number, digits: number) => {
    parts.push(
      `<rect x="${LEFT}" y="${top}" width="${W - LEFT - RIGHT}" height="${h}" fill="none" stroke="#ccc"/>`,
      `<text x="${LEFT}" y="${top - 6}" font-size="13">${esc(label)}</text>`,
      `<text x="${LEFT - 6}" y="${top + 11}" font-size="11" text-anchor="end">${hi.toFixed(digits)}</text>`,
      `<text x="${LEFT - 6}" y="${top + h}" font-size="11" text-anchor="end">${lo.toFixed(digits)}</text>`,
    );
    return (v: number) => top + h - (v - lo) / (hi - lo) * h;
  };
  const range = (values: number[], pad = 0.05): [number, number] => {
    const finite = values.filter(Number.isFinite);
    if (!finite.length) return [0, 1];
    let lo = Math.min(...finite), hi = Math.max(...finite);
    if (!(hi > lo)) (lo -= Math.abs(lo) * 1e-4 || 1), (hi += Math.abs(hi) * 1e-4 || 1);
    const d = (hi - lo) * pad;
    return [lo - d, hi + d];
  };
  const line = (points: readonly { ts: number; value: number | null }[], y: (v: number) => number, color: string) => {
    let d = "", pen = false;
    for (const pt of thin(points)) {
      if (pt.value === null || !Number.isFinite(pt.value)) {
        pen = false;
        continue;
      }
      d += `${pen ? "L" : "M"}${x(pt.ts).toFixed(1)},${y(pt.value).toFixed(1)}`;
      pen = true;
    }
    if (d) parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="1.3"/>`);
  };

  // price: candles, our bid / ask, fills
  const minutes = Math.ceil(p.candles.length / MAX_BARS);
  const bars = mergeCandles(p.candles, minutes);
  const [plo, phi] = range([
    ...bars.flatMap((c) => [c.low, c.high]),
    ...p.quotes.flatMap((q) => [q.bid ?? NaN, q.ask ?? NaN]),
    ...p.fills.map((f) => f.price),
  ]);
  const yp = frame(
    TOP,
    PRICE_H,
    `price, ${
      minutes > 1 ? `${minutes}-minute` : "1-minute"
    } candles; our bid (green) and ask (red); fills ▲ buy ▼ sell`,
    plo,
    phi,
    p.priceDecimals,
  );
  const barW = Math.max(1, (W - LEFT - RIGHT) * minutes * 60_000 / span * 0.7);
  for (const c of bars) {
    const cx = x(c.ts + minutes * 30_000), color = c.close >= c.open ? GREEN : RED;
    const top = yp(Math.max(c.open, c.close)), bottom = yp(Math.min(c.open, c.close));
    parts.push(
      `<line x1="${cx.toFixed(1)}" x2="${cx.toFixed(1)}" y1="${yp(c.high).toFixed(1)}" y2="${
        yp(c.low).toFixed(1)
      }" stroke="${color}" stroke-width="1"/>`,
      `<rect x="${(cx - barW / 2).toFixed(1)}" y="${top.toFixed(1)}" width="${barW.toFixed(1)}" height="${
        Math.max(1, bottom - top).toFixed(1)
      }" fill="${color}" fill-opacity="0.55"/>`,
    );
  }
  line(p.quotes.map((q) => ({ ts: q.ts, value: q.bid })), yp, "#2da44e");
  line(p.quotes.map((q) => ({ ts: q.ts, value: q.ask })), yp, "#fa4549");
  for (const f of p.fills) {
    const cx = x(f.ts), cy = yp(f.price);
    parts.push(
      f.side === "buy"
        ? `<path d="M${cx - 5},${cy + 5}L${cx + 5},${cy + 5}L${cx},${cy - 4}Z" fill="${GREEN}" stroke="white"/>`
        : `<path d="M${cx - 5},${cy - 5}L${cx + 5},${cy - 5}L${cx},${cy + 4}Z" fill="${RED}" stroke="white"/>`,
    );
  }

  // equity, inventory
  let top = TOP + PRICE_H + GAP;
  const [elo, ehi] = range(p.equity.map((e) => e.value));
  line(p.equity, frame(top, PANEL_H, "equity (quote) = base × mid + quote", elo, ehi, 2), "#0969da");
  top += PANEL_H + GAP;
  const [ilo, ihi] = range(p.inventory.map((e) => e.value));
  line(p.inventory, frame(top, PANEL_H, "inventory ratio", ilo, ihi, 3), "#8250df");
  top += PANEL_H;

  // time axis
  for (let i = 0; i <= 4; i++) {
    const t = p.fromTs + span * i / 4;
    parts.push(
      `<text x="${x(t).toFixed(1)}" y="${top + 16}" font-size="11" text-anchor="${
        i === 0 ? "start" : i === 4 ? "end" : "middle"
      }">${hhmm(t)}</text>`,
    );
  }
  const h = top + 28;
  const empty = p.candles.length === 0 && p.quotes.length === 0
    ? `<text x="${W / 2}" y="${TOP + PRICE_H / 2}" font-size="16" text-anchor="middle">no market data yet</text>`
    : "";
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${h}" viewBox="0 0 ${W} ${h}" font-family="DejaVu Sans, sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${LEFT}" y="22" font-size="15" font-weight="bold">${esc(p.title)}</text>`,
    `<text x="${W - RIGHT}" y="22" font-size="12" text-anchor="end">${day(p.fromTs)} ${hhmm(p.fromTs)} → ${
      day(p.toTs)
    } ${hhmm(p.toTs)} UTC</text>`,
    ...parts,
    empty,
    `</svg>`,
  ].join("\n");
}
