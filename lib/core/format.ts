/** Human-readable figures for the console, Telegram and reports: times, numbers without float dust, currencies. */
import { decimalsOf } from "./steps.ts";

export const isoMinute = (ts: number) => new Date(ts).toISOString().slice(0, 19).replace("T", " ");

/** A balance, price or size without float dust: 0.9099999999999999 → "0.91". */
export const plain = (x: number) => String(Number(x.toFixed(8)));

export const signed = (x: number, digits = 2) => `${x >= 0 ? "+" : ""}${x.toFixed(digits)}`;

/** Base and quote currency of a ccxt symbol: "ETH/USDT:USDT" → ["ETH", "USDT"]. */
export function currencies(symbol: string): [string, string] {
  const [base, rest = ""] = symbol.split("/");
  return [base, rest.split(":")[0]];
}

/** The text of anything thrown (an Error's message, else the value itself). */
export const messageOf = (e: unknown): string => (e as Error)?.message ?? String(e);

// decimals of a price or size step: the rounding's own (steps.ts), so what is printed is what was rounded
export { decimalsOf };

/** A price or quote amount on the tick's decimals: 2997.1300000004 → "2997.13", 3000 → "3000.00". */
export const onTick = (x: number, tickSize: number): string => x.toFixed(decimalsOf(tickSize));

/** A size on the lot, without trailing zeros: 0.40639999999999943 → "0.4064", 0.0100 → "0.01", 1 → "1". */
export const onLot = (x: number, lotSize: number): string => {
  const s = x.toFixed(decimalsOf(lotSize));
  return s.includes(".") ? s.replace(/\.?0+$/, "") : s;
};
