/** The running bot as Telegram and the lab commands read and control it; lib/app's `RunningBot` extends it. */
import type { Config } from "../config/schema.ts";
import type { Candle } from "../core/types.ts";
import type { Engine } from "../engine/engine.ts";
import type { ProcessFigures } from "../engine/process.ts";
import type { Account, Ledger } from "../storage/ledger.ts";

export interface ControlledBot {
  engine: Engine;
  ledger: Ledger;
  account: Account;
  /**
   * Changes one parameter of the running bot (/set): validated like the config file, kept in the
   * ledger across restarts, applied from the next tick. Throws ConfigError, changing nothing.
   */
  setParam(path: string, text: string): Config;
  /** Drops a /set override (/unset): the config file's value applies again. */
  unsetParam(path: string): Config;
  /** counters shown in /metrics */
  metrics: { telegramSent: number; telegramDropped: number };
  /** the process's memory and uptime for /status (absent: no such line) */
  process?: { read(): ProcessFigures };
  /** 1m candles in [fromTs, toTs) for /backtest: the venue's history, or the replay file */
  candleHistory(fromTs: number, toTs: number): Promise<{ candles: Candle[]; where: string }>;
}
