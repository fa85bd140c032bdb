/** Human-readable figures for the console (and later Telegram): one concise line per tick. */
import type { EngineStatus } from "../engine/engine.ts";

export const isoMinute = (ts: number) => new Date(ts).toISOString().slice(0, 19).replace("T", " ");

/** A balance, price or size without float dust: 0.9099999999999999 → "0.91". */
export const plain = (x: number) => String(Number(x.toFixed(8)));

export const signed = (x: number, digits = 2) => `${x >= 0 ? "+" : ""}${x.toFixed(digits)}`;

/** Base and quote currency of a ccxt symbol: "ETH/USDT:USDT" → ["ETH", "USDT"]. */
export function currencies(symbol: string): [string, string] {
  const [base, rest = ""] = symbol.split("/");
  return [base, rest.split(":")[0]];
}

/** e.g. `2024-05-01 03:34:00 mid 2990.12 | bid 2988.40 (5.8 bp) ask 2991.05 (3.1 bp) | inv 0.50 | pnl +1.20 USDT, 3 fills` */
export function tickLine(s: EngineStatus): string {
  const [, quote] = currencies(s.symbol);
  const parts = [isoMinute(s.ts)];
  if (s.mid !== null) parts.push(`mid ${s.mid.toFixed(2)}`);
  const d = s.decision;
  if (s.state === "quoting" && d?.action === "quote") {
    const bid = d.bid ? `bid ${d.bid.price.toFixed(2)} (${d.figures.bidDistanceBps!.toFixed(1)} bp)` : "bid –";
    const ask = d.ask ? `ask ${d.ask.price.toFixed(2)} (${d.figures.askDistanceBps!.toFixed(1)} bp)` : "ask –";
    parts.push(`| ${bid} ${ask}`);
  } else {
    parts.push(`| ${s.state.replace("_", " ")}${s.reason ? `: ${s.reason}` : ""}`);
  }
  if (s.inventoryRatio !== null) parts.push(`| inv ${s.inventoryRatio.toFixed(3)}`);
  if (s.pnl) parts.push(`| pnl ${signed(s.pnl.pnl)} ${quote}, ${s.pnl.fills} fills`);
  return parts.join(" ");
}
