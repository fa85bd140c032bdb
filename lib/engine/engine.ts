/**
 * The engine: what the rest of the bot holds (mod.ts, Telegram, HTTP, the backtest). Its work — the tick, the start,
 * the pull after a pause, the stop — is the cycle's (cycle.ts), which alone writes the run state; the engine runs
 * that work one piece at a time (serial.ts: a /pause never interleaves with a tick's orders), driven straight through
 * while the venue answers with values (drive.ts: a backtest tick makes no promise), and answers for the pause store
 * (pause.ts). Everyone else reads the status projection.
 */
import type { Portfolio } from "../core/accounting.ts";
import { midOf } from "../core/steps.ts";
import type { PauseSource } from "../core/events.ts";
import type { Candle, Clock, TopOfBook } from "../core/types.ts";
import type { Config } from "../config/schema.ts";
import { Accounts } from "./accounts.ts";
import { CandleHistory } from "./candles.ts";
import { Cycle } from "./cycle.ts";
import type { PullResult } from "./desk.ts";
import { drive } from "./drive.ts";
import type { Listener, ListenOptions } from "./events.ts";
import type { EngineOptions } from "./options.ts";
import { memoryPauses, PauseStore } from "./pause.ts";
import { Serial } from "./serial.ts";
import type { SkipTally } from "./skips.ts";
import { type EngineStatus, projectStatus, riskEquityOf } from "./status.ts";

export type { EngineOptions, PullResult };

export class Engine {
  readonly #serial = new Serial();
  readonly #pauses: PauseStore;
  readonly #accounts: Accounts;
  readonly #candles: CandleHistory;
  readonly #cycle: Cycle;
  readonly #clock: Clock;
  #atTick: EngineStatus | null = null;

  constructor(opts: EngineOptions) {
    // ids without a run id repeat from one run to the next: never on an account a ledger keeps (DESIGN §12)
    if (opts.runId === "" && opts.record) throw new Error("engine: a run recorded in a ledger needs a run id");
    this.#clock = opts.clock;
    this.#pauses = new PauseStore(opts.pauses ?? memoryPauses(opts.paused, opts.killSwitch));
    this.#accounts = new Accounts(
      opts.lastTradeId ?? null,
      opts.config.market.type === "perp" ? opts.funding : undefined,
    );
    this.#candles = new CandleHistory(opts.config.strategy);
    this.#cycle = new Cycle(opts, this.#pauses, this.#accounts, this.#candles);
  }

  get paused(): boolean {
    return this.#pauses.paused;
  }

  get config(): Config {
    return this.#cycle.config;
  }

  /** The venue's trade id of the last fill taken (the watermark for fills after a restart). */
  get lastTradeId(): string | null {
    return this.#accounts.lastTradeId;
  }

  /** The last top of book seen. */
  get topOfBook(): TopOfBook | null {
    return this.#cycle.run.topOfBook;
  }

  /** Our accounting from fills (balances, fees, PnL by average cost). */
  get portfolio(): Portfolio | null {
    return this.#accounts.portfolio;
  }

  /** Quotes not placed since the start, by reason (DESIGN §14). */
  get skips(): SkipTally {
    return this.#cycle.run.skips;
  }

  /** The last closed candles seen (up to 240), oldest first. */
  recentCandles(): readonly Candle[] {
    return this.#candles.recent();
  }

  /** Subscribes to events (`ticks: false`: all but "tick"; `types`: only those); returns the unsubscribe function. */
  on(listener: Listener, opts?: ListenOptions): () => void {
    return this.#cycle.events.on(listener, opts);
  }

  /** Swaps the parameters (Telegram /set); indicators whose periods changed reload their history. */
  reconfigure(next: Config): void {
    this.#candles.reconfigure(next.strategy);
    this.#cycle.config = next;
  }

  /** Reconciles with the venue (cancels leftover orders of ours), loads the candles, opens the portfolio. */
  async start(): Promise<void> {
    await this.#serial.run(() => drive(this.#cycle.start()));
  }

  /**
   * One cycle. Never throws: failures are counted, reported, pull our quotes and may trip the breaker.
   * Returns a promise only when the venue made it wait (a backtest tick returns at once).
   */
  tick(): void | Promise<void> {
    return this.#serial.run(this.#tickWork);
  }

  /** the tick as work for the serial line, made once (not a closure a tick) */
  readonly #tickWork = () => this.#cycle.tick();

  /**
   * Pauses (the operator's word): in the pause store at once — a tick in flight stops placing — then every order
   * of ours is cancelled; what fails is retried every tick until nothing rests. Never throws.
   */
  async pause(source: PauseSource = "cli"): Promise<PullResult> {
    this.#pauses.pause(source);
    return await this.#serial.run(() => drive(this.#cycle.pull(source)));
  }

  /**
   * Picks up a pause or resume written to the pause store by someone else (`mmbot pause` from a shell):
   * pulls our quotes, or quotes again from the next tick. No promise when nothing changed.
   */
  heedPauseStore(): void | Promise<void> {
    const change = this.#pauses.changedElsewhere();
    if (change === "resumed") this.resume(); // as /resume: the kill switch too, the drawdown measured afresh
    if (change === "paused") {
      const pulling = this.#serial.run(() => drive(this.#cycle.pull("cli")));
      if (pulling instanceof Promise) return pulling.then(() => {});
    }
  }

  /**
   * Quotes again from the next tick; also clears a tripped kill switch, measuring drawdown afresh from
   * here. Throws (staying paused) when the pause store cannot record it.
   */
  resume(): void {
    const p = this.#accounts.portfolio, top = this.#cycle.run.topOfBook;
    // the drawdown is measured afresh from here, on the kill switch's basis (risk.drawdown_basis)
    this.#pauses.resume(p && top ? riskEquityOf(this.config, this.#cycle.run, midOf(top)) : null);
    this.#cycle.tell([{ type: "resumed", ts: this.#clock.now() }]);
  }

  /** A stop is coming: from now on nothing more is placed (a tick in flight finishes without placing). */
  halt(): void {
    this.#cycle.stopping = true;
  }

  /**
   * The one shutdown path: cancel every order of ours, retrying until `timeoutMs` has passed, then
   * confirm with a final open-orders query. The caller exits non-zero when `resting` is not empty or
   * the venue could not confirm.
   */
  async stop(timeoutMs = this.config.risk.shutdown_timeout_s * 1000): Promise<PullResult> {
    this.#cycle.stopping = true; // a tick still running places nothing more
    return await this.#serial.run(() => drive(this.#cycle.stop(timeoutMs)));
  }

  status(): EngineStatus {
    return this.#project(this.#clock.now());
  }

  /**
   * The status as of the last tick, stamped with the tick's own time, for listeners of the "tick" event: one
   * projection a tick however many of them read it (the console line and the quote history each made their own, at
   * speed 600 forty a second). Between two ticks it is the last tick's view; use status() for the present.
   */
  tickStatus(): EngineStatus {
    const run = this.#cycle.run;
    if (this.#atTick?.ticks !== run.ticks || this.#atTick.ts !== run.lastTickTs) {
      this.#atTick = this.#project(run.lastTickTs ?? this.#clock.now());
    }
    return this.#atTick;
  }

  /** The status projection stamped `ts` (the one thing the time changes in it). */
  #project(ts: number): EngineStatus {
    const cycle = this.#cycle;
    return projectStatus(cycle.config, ts, this.#candles.snapshot(), cycle.run, this.#pauses);
  }
}
