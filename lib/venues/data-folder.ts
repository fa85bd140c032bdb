/**
 * Where downloaded market data lives: `data/<exchange>/<SYMBOL>/`, one candle file a month (`2024-05.csv`) and,
 * for perpetuals, one funding file a month (`2024-05.funding.csv`). `download` writes there, `backtest` and
 * `optimize` with `--symbol` read from there.
 */
import { join } from "node:path";

/** The download folder's root (relative to the working directory, like `storage.path`). */
export const DATA_ROOT = "data";

/** `ETH/USDT` → `ETH_USDT`, `ETH/USDT:USDT` → `ETH_USDT_USDT` (a folder name on every file system). */
export const symbolFolder = (symbol: string) => symbol.replace(/[/:]/g, "_");

export const marketFolder = (exchange: string, symbol: string, root = DATA_ROOT) =>
  join(root, exchange, symbolFolder(symbol));

/** One calendar month (UTC) and the part of it a request covers. */
export interface Month {
  /** `2024-05` */
  name: string;
  startTs: number;
  endTs: number;
}

/** The UTC months that [fromTs, toTs) touches, each whole. */
export function monthsOf(fromTs: number, toTs: number): Month[] {
  const months: Month[] = [];
  const d = new Date(fromTs);
  let y = d.getUTCFullYear(), m = d.getUTCMonth();
  for (;;) {
    const startTs = Date.UTC(y, m, 1), endTs = Date.UTC(y, m + 1, 1);
    if (startTs >= toTs) break;
    months.push({ name: `${y}-${String(m + 1).padStart(2, "0")}`, startTs, endTs });
    if (++m === 12) (m = 0), y++;
  }
  return months;
}

export const candleMonthFile = (folder: string, month: Month) => join(folder, `${month.name}.csv`);
export const fundingMonthFile = (folder: string, month: Month) => join(folder, `${month.name}.funding.csv`);
