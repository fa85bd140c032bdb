/**
 * The ledger: SQLite (node:sqlite, on Deno and Bun) holding accounts, orders, fills, equity snapshots
 * and bot state. Fills are unique on the venue's trade id, so recording one twice is harmless.
 * It never deletes or resets data on its own; a fresh paper account is a new row in `accounts`.
 */
import { DatabaseSync } from "node:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { applyFill, openPortfolio, type PnlSummary, type Portfolio, summarize } from "../core/accounting.ts";
import * as rowMaps from "./rows.ts";
import type { FundingPayment, Prepared } from "./rows.ts";

export type { PnlSummary };
import type { Fill, Order } from "../core/types.ts";
import { MIGRATIONS, SCHEMA_VERSION } from "./migrations.ts";

/** The ledger cannot be used; the message says why and what to do. */
export class LedgerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LedgerError";
  }
}

export interface Account {
  id: number;
  created_ts: number;
  mode: string;
  symbol: string;
  initial_base: number;
  initial_quote: number;
  initial_mid: number;
}

export interface LedgerFill extends Fill {
  spreadCaptureBps: number | null;
}

export interface DaySummary {
  day: string;
  fills: number;
  buys: number;
  sells: number;
  volumeQuote: number;
  feesQuote: number;
  /** realized PnL (average cost) booked that day, before fees */
  realizedQuote: number;
}

export interface LedgerOptions {
  /** how long to wait for another process's lock, ms */
  busyTimeoutMs?: number;
}

type Row = Record<string, unknown>;

export class Ledger {
  readonly db: DatabaseSync;
  readonly #sql: Prepared;

  private constructor(db: DatabaseSync, readonly path: string) {
    this.db = db;
    this.#sql = rowMaps.preparedOnce(db);
  }

  /** Opens (creating if needed) and migrates; throws LedgerError for locked, corrupt, newer or unwritable files. */
  static open(path: string, opts: LedgerOptions = {}): Ledger {
    const where = `storage.path ${path}`;
    const db = openDatabase(path, where, "the database");
    try {
      db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs ?? 5000))}`);
      const version = Number((db.prepare("PRAGMA user_version").get() as Row).user_version);
      if (version > SCHEMA_VERSION) {
        throw new LedgerError(
          `${where}: the database has schema version ${version}, newer than this mmbot understands (${SCHEMA_VERSION}); upgrade mmbot, or point storage.path at another file`,
        );
      }
      db.exec("PRAGMA journal_mode = WAL");
      db.exec("PRAGMA synchronous = NORMAL"); // WAL + NORMAL survives a killed process
      db.exec("PRAGMA foreign_keys = ON");
      db.exec("PRAGMA cache_size = -512"); // not 2 MB: the page cache stays resident, and we read back only recent rows
      // one write transaction even when there is nothing to migrate: proves the file is writable now
      db.exec("BEGIN IMMEDIATE");
      try {
        for (let v = version; v < SCHEMA_VERSION; v++) {
          db.exec(MIGRATIONS[v]);
          db.exec(`PRAGMA user_version = ${v + 1}`);
        }
        db.exec("INSERT INTO state (key, value) VALUES ('opened', '1') ON CONFLICT (key) DO UPDATE SET value = value");
        db.exec("COMMIT");
      } catch (e) {
        db.exec("ROLLBACK");
        throw e;
      }
    } catch (e) {
      try {
        db.close();
      } catch { /* already failing */ }
      if (e instanceof LedgerError) throw e;
      throw new LedgerError(explain(where, e as Error));
    }
    return new Ledger(db, path);
  }

  close(): void {
    this.db.close();
  }

  // ---- state -------------------------------------------------------------------------------

  getState(key: string): string | null {
    const row = this.#sql("SELECT value FROM state WHERE key = ?").get(key) as Row | undefined;
    return row ? String(row.value) : null;
  }

  setState(key: string, value: string): void {
    this.#sql(
      "INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
      .run(key, value);
  }

  get paused(): boolean {
    return this.getState("paused") === "true";
  }
  set paused(v: boolean) {
    this.setState("paused", String(v));
  }
  get killSwitch(): boolean {
    return this.getState("kill_switch") === "true";
  }
  set killSwitch(v: boolean) {
    this.setState("kill_switch", String(v));
  }
  /** why the bot is paused ("paused from telegram", "paused by the kill switch: …"); null when not */
  get pauseDetail(): string | null {
    return this.getState("pause_reason") || null;
  }
  set pauseDetail(v: string | null) {
    this.setState("pause_reason", v ?? "");
  }

  /** The kill switch's reference equity for an account, kept so that a restart does not reset the drawdown. */
  peakEquity(accountId: number): number | null {
    const v = Number(this.getState(`peak_equity:${accountId}`));
    return v > 0 ? v : null;
  }
  setPeakEquity(accountId: number, equity: number): void {
    this.setState(`peak_equity:${accountId}`, String(equity));
  }

  /** Parameter overrides made at runtime (`/set`), as dotted key → text, in the order made. */
  overrides(): Record<string, string> {
    const raw = this.getState("overrides");
    return raw ? JSON.parse(raw) : {};
  }
  setOverride(path: string, text: string): void {
    this.setState("overrides", JSON.stringify({ ...this.overrides(), [path]: text }));
  }
  clearOverride(path: string): void {
    const { [path]: _, ...rest } = this.overrides();
    this.setState("overrides", JSON.stringify(rest));
  }

  // ---- accounts ----------------------------------------------------------------------------

  /** The newest account for this mode and symbol, if any. */
  currentAccount(mode: string, symbol: string): Account | null {
    const row = this.#sql("SELECT * FROM accounts WHERE mode = ? AND symbol = ? ORDER BY id DESC LIMIT 1")
      .get(mode, symbol) as Row | undefined;
    return row ? (row as unknown as Account) : null;
  }

  openAccount(a: Omit<Account, "id">): Account {
    const r = this.#sql(
      "INSERT INTO accounts (created_ts, mode, symbol, initial_base, initial_quote, initial_mid) VALUES (?, ?, ?, ?, ?, ?)",
    ).run(a.created_ts, a.mode, a.symbol, a.initial_base, a.initial_quote, a.initial_mid);
    return { ...a, id: Number(r.lastInsertRowid) };
  }

  // ---- orders and fills --------------------------------------------------------------------

  recordOrder(accountId: number, o: Order, ts: number): void {
    this.#sql(
      `INSERT INTO orders (client_order_id, venue_order_id, account_id, side, price, amount, filled, status, created_ts,
         updated_ts, level) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (client_order_id) DO UPDATE SET venue_order_id = excluded.venue_order_id,
         filled = excluded.filled, status = excluded.status, updated_ts = excluded.updated_ts`,
    ).run(...rowMaps.orderRow(accountId, o, ts));
  }

  setOrderStatus(clientOrderId: string, status: Order["status"], ts: number): void {
    this.#sql("UPDATE orders SET status = ?, updated_ts = ? WHERE client_order_id = ? AND status = 'open'")
      .run(status, ts, clientOrderId);
  }

  /**
   * At start, after leftovers were cancelled and missed fills booked: order rows with our prefix that a
   * dead run left `open` are gone from the venue (cancelled there, or expired): they become `abandoned`;
   * returns how many. Rows under another prefix are left as they are: this run cannot see those orders.
   */
  abandonOpenOrders(accountId: number, ts: number, prefix: string): number {
    const r = this.#sql(
      "UPDATE orders SET status = 'abandoned', updated_ts = ? WHERE account_id = ? AND status = 'open' AND substr(client_order_id, 1, ?) = ?",
    ).run(ts, accountId, prefix.length, prefix);
    return Number(r.changes);
  }

  /** Client ids of the account's orders the ledger still lists as open. */
  openOrderIds(accountId: number): string[] {
    const rows = this.#sql("SELECT client_order_id FROM orders WHERE account_id = ? AND status = 'open'")
      .all(accountId) as Row[];
    return rows.map((r) => String(r.client_order_id));
  }

  /** Records a fill once: a trade id already in the ledger changes nothing. */
  recordFill(accountId: number, f: Fill, spreadCaptureBps: number | null = null): void {
    // the fill and its order's filled amount together, or neither: a retry after a failure redoes both
    this.db.exec("BEGIN IMMEDIATE");
    try {
      const r = this.#sql(
        `INSERT INTO fills (trade_id, account_id, client_order_id, side, price, amount, fee_quote, ts, spread_capture_bps,
           fee_asset, fee_amount) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (trade_id) DO NOTHING`,
      ).run(...rowMaps.fillRow(accountId, f, spreadCaptureBps));
      const fresh = Number(r.changes) > 0;
      if (fresh) {
        this.#sql(
          `UPDATE orders SET filled = filled + ?, updated_ts = ?,
             status = CASE WHEN filled + ? >= amount - 1e-12 THEN 'filled' ELSE status END
           WHERE client_order_id = ?`,
        ).run(f.amount, f.ts, f.amount, f.clientOrderId);
      }
      this.db.exec("COMMIT");
    } catch (e) {
      try {
        this.db.exec("ROLLBACK");
      } catch { /* the transaction is already gone */ }
      throw e;
    }
  }

  recordEquity(accountId: number, ts: number, mid: number, base: number, quote: number): void {
    this.#sql(
      "INSERT INTO equity (account_id, ts, mid, base, quote, equity) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
    ).run(accountId, ts, mid, base, quote, base * mid + quote);
  }

  /** Fills of an account, oldest first (or the newest `limit`, still oldest first). */
  fills(accountId: number, limit?: number): LedgerFill[] {
    const rows =
      (limit === undefined
        ? this.#sql("SELECT * FROM fills WHERE account_id = ? ORDER BY ts, rowid").all(accountId)
        : this.#sql("SELECT * FROM fills WHERE account_id = ? ORDER BY ts DESC, rowid DESC LIMIT ?").all(
          accountId,
          limit,
        ).reverse()) as Row[];
    return rows.map((r) => ({
      tradeId: String(r.trade_id),
      clientOrderId: String(r.client_order_id),
      side: r.side as Fill["side"],
      price: Number(r.price),
      amount: Number(r.amount),
      feeQuote: Number(r.fee_quote),
      ts: Number(r.ts),
      spreadCaptureBps: r.spread_capture_bps === null ? null : Number(r.spread_capture_bps),
      ...(r.fee_asset ? { feeAsset: String(r.fee_asset), feeAmount: Number(r.fee_amount) } : {}),
    }));
  }

  lastTradeId(accountId: number): string | null {
    const row = this.#sql("SELECT trade_id FROM fills WHERE account_id = ? ORDER BY ts DESC, rowid DESC LIMIT 1")
      .get(accountId) as Row | undefined;
    return row ? String(row.trade_id) : null;
  }

  // ---- funding (perpetuals): lib/storage/rows.ts --------------------------------------------

  /** Records a funding payment once; false when its id is already in the ledger for this account. */
  recordFunding = (accountId: number, p: FundingPayment): boolean => rowMaps.insertFunding(this.#sql, accountId, p);
  /** Funding payments of an account, oldest first. */
  funding = (accountId: number): FundingPayment[] => rowMaps.fundingRows(this.#sql, accountId);
  /** The funding time of the account's last payment (the watermark after a restart), null when none. */
  lastFundingTs = (accountId: number): number | null => rowMaps.lastFundingTs(this.#sql, accountId);

  // ---- queries (the same accounting as the backtest) -----------------------------------------

  /** The account's portfolio rebuilt from its fills and funding: balances, average cost, realized PnL, fees, volume. */
  portfolio(account: Account): Portfolio {
    const b = openPortfolio(account.initial_base, account.initial_quote, account.initial_mid);
    for (const f of this.fills(account.id)) applyFill(b, f);
    rowMaps.bookFunding(b, this.funding(account.id));
    return b;
  }

  pnl(account: Account, mid: number): PnlSummary {
    return summarize(this.portfolio(account), mid, account.initial_base * account.initial_mid + account.initial_quote);
  }

  /**
   * Per day: fills, volume, fees and realized PnL (average cost carried across days), oldest first. A day starts
   * at `startHourUtc` (the daily report's hour; 0: UTC days) and is named by the date it starts on.
   */
  perDay(account: Account, startHourUtc = 0): DaySummary[] {
    const b = openPortfolio(account.initial_base, account.initial_quote, account.initial_mid);
    const days = new Map<string, DaySummary>();
    for (const f of this.fills(account.id)) {
      const day = new Date(f.ts - startHourUtc * 3_600_000).toISOString().slice(0, 10);
      const d = days.get(day) ??
        { day, fills: 0, buys: 0, sells: 0, volumeQuote: 0, feesQuote: 0, realizedQuote: 0 };
      const before = b.realized;
      applyFill(b, f);
      d.realizedQuote += b.realized - before;
      d.fills++;
      if (f.side === "buy") d.buys++;
      else d.sells++;
      d.volumeQuote += f.price * f.amount;
      d.feesQuote += f.feeQuote;
      days.set(day, d);
    }
    return [...days.values()];
  }
}

/** A SQLite file under storage.path, its directory created; a LedgerError naming `what` when it cannot be. */
export function openDatabase(path: string, where: string, what: string): DatabaseSync {
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (e) {
    throw new LedgerError(`${where}: cannot create its directory: ${(e as Error).message}`);
  }
  try {
    return new DatabaseSync(path);
  } catch (e) {
    throw new LedgerError(`${where}: cannot open ${what}: ${(e as Error).message}`);
  }
}

function explain(where: string, e: Error): string {
  const m = e.message;
  if (/locked|busy/i.test(m)) {
    return `${where}: the database is locked by another process (is another mmbot using this ledger?): ${m}`;
  }
  if (/not a database|malformed|corrupt/i.test(m)) {
    return `${where}: the file is not a usable SQLite database (${m}); mmbot will not touch it: move it aside or point storage.path at another file`;
  }
  if (/readonly|read-only|permission|access|unable to open/i.test(m)) {
    return `${where}: the database cannot be written (${m}); check the path and its permissions`;
  }
  return `${where}: ${m}`;
}
