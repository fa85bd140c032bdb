/** Human-readable figures for the console, Telegram and reports: times, numbers without float dust, currencies. */

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
