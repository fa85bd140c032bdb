/** Row mappings beside the ledger: funding payments (perpetuals, unique per account on their id), order and fill columns. */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { applyFunding, type Portfolio } from "../core/accounting.ts";
import type { FundingPayment } from "../core/funding.ts";
import type { Fill, Order } from "../core/types.ts";

export type { FundingPayment };

type Row = Record<string, unknown>;

/** A statement by its SQL text, prepared on first use and kept. */
export type Prepared = (sql: string) => StatementSync;

/**
 * One prepared statement per SQL text for the life of `db`: preparing one per call left native memory the GC
 * does not see (+20 MB a minute).
 */
export function preparedOnce(db: DatabaseSync): Prepared {
  const statements = new Map<string, StatementSync>();
  return (sql) => statements.get(sql) ?? statements.set(sql, db.prepare(sql)).get(sql)!;
}

export function insertFunding(sql: Prepared, accountId: number, p: FundingPayment): boolean {
  const r = sql(
    `INSERT INTO funding (id, account_id, ts, amount_quote, rate, price, position_base)
     VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
  ).run(p.id, accountId, p.ts, p.amountQuote, p.rate, p.price, p.positionBase);
  return Number(r.changes) > 0;
}

export function fundingRows(sql: Prepared, accountId: number): FundingPayment[] {
  const rows = sql("SELECT * FROM funding WHERE account_id = ? ORDER BY ts, rowid").all(accountId) as Row[];
  const num = (v: unknown) => (v === null ? null : Number(v));
  return rows.map((r) => ({
    id: String(r.id),
    ts: Number(r.ts),
    amountQuote: Number(r.amount_quote),
    rate: num(r.rate),
    price: num(r.price),
    positionBase: num(r.position_base),
  }));
}

export function lastFundingTs(sql: Prepared, accountId: number): number | null {
  const row = sql("SELECT MAX(ts) AS ts FROM funding WHERE account_id = ?").get(accountId) as Row;
  return row.ts === null || row.ts === undefined ? null : Number(row.ts);
}

/** Books the payments into a portfolio rebuilt from fills: funding moves cash only, so its order against the fills changes no figure. */
export function bookFunding(portfolio: Portfolio, payments: readonly FundingPayment[]): void {
  for (const p of payments) applyFunding(portfolio, p.amountQuote);
}

/** A fill's columns in the order recordFill inserts them (the fee asset and amount only for a third-asset fee). */
export function fillRow(accountId: number, f: Fill, spreadCaptureBps: number | null) {
  return [
    f.tradeId,
    accountId,
    f.clientOrderId,
    f.side,
    f.price,
    f.amount,
    f.feeQuote,
    f.ts,
    spreadCaptureBps,
    f.feeAsset ?? null,
    f.feeAmount ?? null,
  ] as const;
}

/** An order's columns in the order recordOrder inserts them (`ts`: when recorded; the level 0 unless placed deeper). */
export function orderRow(accountId: number, o: Order, ts: number) {
  return [
    o.clientOrderId,
    o.venueOrderId,
    accountId,
    o.side,
    o.price,
    o.amount,
    o.filled,
    o.status,
    o.ts,
    ts,
    o.level ?? 0,
  ] as const;
}
