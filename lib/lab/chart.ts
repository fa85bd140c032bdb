/**
 * A self-contained SVG chart of a backtest: price with fills, equity vs hold, inventory, and where the PnL
 * came from (cumulative spread, inventory and fees).
 */
import type { ReportFill, Series } from "./backtest.ts";

const W = 1000, PANEL = 220, GAP = 36, LEFT = 70, RIGHT = 20, TOP = 56;

/** Every n-th point so that a month of 15 s ticks stays a light file. */
function thin(n: number, max = 1500): number[] {
  const step = Math.max(1, Math.ceil(n / max));
  const idx: number[] = [];
  for (let i = 0; i < n; i += step) idx.push(i);
  if (n && idx[idx.length - 1] !== n - 1) idx.push(n - 1);
  return idx;
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");

export function backtestSvg(series: Series, fills: ReportFill[], title: string): string {
  const idx = thin(series.ts.length);
  const t0 = series.ts[0] ?? 0, t1 = series.ts[series.ts.length - 1] ?? 1;
  const x = (t: number) => LEFT + (t - t0) / Math.max(1, t1 - t0) * (W - LEFT - RIGHT);
  const parts: string[] = [];
  const panel = (k: number, label: string, lines: { values: ArrayLike<number>; color: string; name: string }[]) => {
    const top = TOP + k * (PANEL + GAP);
    const all = lines.flatMap((l) => idx.map((i) => l.values[i])).filter(Number.isFinite);
    let lo = Math.min(...all), hi = Math.max(...all);
    if (!(hi > lo)) (lo -= 1), (hi += 1);
    const y = (v: number) => top + PANEL - (v - lo) / (hi - lo) * PANEL;
    parts.push(
      `<rect x="${LEFT}" y="${top}" width="${W - LEFT - RIGHT}" height="${PANEL}" fill="none" stroke="#ccc"/>`,
    );
    parts.push(`<text x="${LEFT}" y="${top - 6}" font-size="13">${esc(label)}</text>`);
    parts.push(`<text x="${LEFT - 6}" y="${top + 10}" font-size="11" text-anchor="end">${hi.toFixed(2)}</text>`);
    parts.push(`<text x="${LEFT - 6}" y="${top + PANEL}" font-size="11" text-anchor="end">${lo.toFixed(2)}</text>`);
    lines.forEach((l, n) => {
      const d = idx.map((i, j) => `${j ? "L" : "M"}${x(series.ts[i]).toFixed(1)},${y(l.values[i]).toFixed(1)}`).join(
        "",
      );
      parts.push(`<path d="${d}" fill="none" stroke="${l.color}" stroke-width="1.2"/>`);
      parts.push(
        `<text x="${W - RIGHT - 150}" y="${top + 16 + n * 14}" font-size="11" fill="${l.color}">${esc(l.name)}</text>`,
      );
    });
    return y;
  };
  const yPrice = panel(0, "mid price, buys ▲ sells ▼", [{ values: series.mid, color: "#333", name: "mid" }]);
  for (const f of fills.filter((_, i) => i % Math.max(1, Math.ceil(fills.length / 600)) === 0)) {
    const cx = x(f.ts), cy = yPrice(f.price);
    parts.push(
      f.side === "buy"
        ? `<path d="M${cx - 3},${cy + 3}L${cx + 3},${cy + 3}L${cx},${cy - 3}Z" fill="#1a7f37"/>`
        : `<path d="M${cx - 3},${cy - 3}L${cx + 3},${cy - 3}L${cx},${cy + 3}Z" fill="#cf222e"/>`,
    );
  }
  panel(1, "equity (quote)", [
    { values: series.equity, color: "#0969da", name: "market maker" },
    { values: series.hold, color: "#999", name: "hold initial balances" },
  ]);
  panel(2, "inventory (spot: base share of equity; perp: position value)", [
    { values: series.inventoryRatio, color: "#8250df", name: "inventory" },
  ]);
  const minus = (a: ArrayLike<number>) => Float64Array.from(a, (v) => -v);
  panel(3, "pnl split, cumulative (quote)", [
    { values: series.spread, color: "#1a7f37", name: "spread captured" },
    { values: series.inventoryPnl, color: "#8250df", name: "inventory (holding × Δmid)" },
    { values: minus(series.fees), color: "#cf222e", name: "− fees" },
  ]);
  const h = TOP + 4 * (PANEL + GAP);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${h}" viewBox="0 0 ${W} ${h}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${LEFT}" y="22" font-size="15" font-weight="bold">${esc(title)}</text>`,
    ...parts,
    `</svg>`,
  ].join("\n");
}
