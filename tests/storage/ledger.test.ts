import { describe, expect, test } from "bun:test";
import { DatabaseSync } from "node:sqlite";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ledger, LedgerError } from "../../lib/storage/ledger.ts";
import { MIGRATIONS, SCHEMA_VERSION } from "../../lib/storage/migrations.ts";

const tmp = () => join(mkdtempSync(join(tmpdir(), "mmbot-ledger-")), "ledger.sqlite");
const DAY1 = Date.UTC(2024, 4, 1, 12);
const DAY2 = Date.UTC(2024, 4, 2, 12);

function withAccount() {
  const path = tmp();
  const ledger = Ledger.open(path);
  const account = ledger.openAccount({
    created_ts: DAY1,
    mode: "paper",
    symbol: "ETH/USDT",
    initial_base: 1,
    initial_quote: 1000,
    initial_mid: 100,
  });
  return { path, ledger, account };
}

const fill = (tradeId: string, side: "buy" | "sell", price: number, amount: number, feeQuote: number, ts: number) => ({
  tradeId,
  clientOrderId: `mmbot-${tradeId}`,
  side,
  price,
  amount,
  feeQuote,
  ts,
});

/** An open buy of 1 at 90, placed on DAY1. */
const buyOrder = (clientOrderId: string, venueOrderId: string) => ({
  clientOrderId,
  venueOrderId,
  side: "buy" as const,
  price: 90,
  amount: 1,
  filled: 0,
  status: "open" as const,
  ts: DAY1,
});

describe("recording", () => {
  test("a fill and its order's filled amount are written together: a failure leaves neither, the retry both", () => {
    const { ledger, account } = withAccount();
    ledger.recordOrder(account.id, buyOrder("mmbot-t9", "9"), DAY1);
    // the order update fails (as a full disk would, half way through)
    ledger.db.exec(
      "CREATE TRIGGER no_update BEFORE UPDATE ON orders BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END",
    );
    const f = fill("t9", "buy", 90, 1, 0.09, DAY1);
    expect(() => ledger.recordFill(account.id, f)).toThrow("database or disk is full");
    expect(ledger.fills(account.id)).toEqual([]);
    ledger.db.exec("DROP TRIGGER no_update");
    ledger.recordFill(account.id, f);
    expect(ledger.fills(account.id).map((x) => x.tradeId)).toEqual(["t9"]);
    expect(ledger.db.prepare("SELECT filled, status FROM orders WHERE client_order_id = 'mmbot-t9'").get()).toEqual({
      filled: 1,
      status: "filled",
    });
  });

  test("a fill is recorded once, whatever the number of attempts", () => {
    const { ledger, account } = withAccount();
    ledger.recordOrder(account.id, { ...buyOrder("mmbot-t1", "1"), amount: 2 }, DAY1);
    const f = fill("t1", "buy", 90, 1, 0.09, DAY1);
    ledger.recordFill(account.id, f);
    ledger.recordFill(account.id, f);
    expect(ledger.fills(account.id).map((x) => x.tradeId)).toEqual(["t1"]);
    // its order counted it once: 1 of 2 filled, still open
    expect(ledger.db.prepare("SELECT filled, status FROM orders WHERE client_order_id = 'mmbot-t1'").get()).toEqual({
      filled: 1,
      status: "open",
    });
    expect(ledger.lastTradeId(account.id)).toBe("t1");
  });

  test("orders follow their fills and cancels", () => {
    const { ledger, account } = withAccount();
    ledger.recordOrder(account.id, buyOrder("mmbot-o1", "v1"), DAY1);
    ledger.recordFill(account.id, { ...fill("t1", "buy", 90, 0.4, 0.036, DAY1 + 1), clientOrderId: "mmbot-o1" });
    const row = () => ledger.db.prepare("SELECT filled, status FROM orders WHERE client_order_id = 'mmbot-o1'").get();
    expect(row()).toEqual({ filled: 0.4, status: "open" });
    ledger.setOrderStatus("mmbot-o1", "cancelled", DAY1 + 2);
    expect(row()).toEqual({ filled: 0.4, status: "cancelled" });
  });

  test("paused, kill switch and runtime overrides survive reopening", () => {
    const { path, ledger } = withAccount();
    ledger.paused = true;
    ledger.killSwitch = true;
    ledger.setOverride("strategy.order_amount", "0.02");
    ledger.setOverride("strategy.refresh_s", "30");
    ledger.close();
    const again = Ledger.open(path);
    expect(again.paused).toBe(true);
    expect(again.killSwitch).toBe(true);
    expect(again.overrides()).toEqual({ "strategy.order_amount": "0.02", "strategy.refresh_s": "30" });
  });
});

describe("queries", () => {
  // start: 1 base at 100 + 1000 quote = 1100
  // day 1: buy 1 @ 90, fee 0.09 → 2 base at average cost (1 × 100 + 1 × 90) / 2 = 95
  // day 2: sell 1.5 @ 110, fee 0.165 → realized 1.5 × (110 − 95) = 22.5; 0.5 base left at 95
  // quote = 1000 − 90 − 0.09 + 165 − 0.165 = 1074.745
  function traded() {
    const t = withAccount();
    t.ledger.recordFill(t.account.id, fill("t1", "buy", 90, 1, 0.09, DAY1));
    t.ledger.recordFill(t.account.id, fill("t2", "sell", 110, 1.5, 0.165, DAY2));
    return t;
  }

  test("PnL by average cost, fees included, at a mid of 120", () => {
    const { ledger, account } = traded();
    const p = ledger.pnl(account, 120);
    expect(p.base).toBeCloseTo(0.5, 12);
    expect(p.quote).toBeCloseTo(1074.745, 9);
    expect(p.realized).toBeCloseTo(22.5, 9);
    expect(p.unrealized).toBeCloseTo(0.5 * (120 - 95), 9); // 12.5
    expect(p.fees).toBeCloseTo(0.255, 12);
    expect(p.volumeQuote).toBeCloseTo(90 + 165, 9);
    expect(p.equity).toBeCloseTo(0.5 * 120 + 1074.745, 9); // 1134.745
    expect(p.initialEquity).toBe(1100);
    expect(p.pnl).toBeCloseTo(22.5 + 12.5 - 0.255, 9); // 34.745
    expect([p.fills, p.buys, p.sells]).toEqual([2, 1, 1]);
  });

  test("per-day summary", () => {
    const { ledger, account } = traded();
    const days = ledger.perDay(account);
    expect(days.map((d) => [d.day, d.fills, d.buys, d.sells])).toEqual([
      ["2024-05-01", 1, 1, 0],
      ["2024-05-02", 1, 0, 1],
    ]);
    expect(days[0].realizedQuote).toBe(0);
    expect(days[1].realizedQuote).toBeCloseTo(22.5, 9);
    expect(days[1].volumeQuote).toBeCloseTo(165, 9);
    expect(days[1].feesQuote).toBeCloseTo(0.165, 12);
    // days starting at 13:00 UTC (a daily report's hour): both fills, at 12:00, fall on the day before
    const late = ledger.perDay(account, 13);
    expect(late.map((d) => [d.day, d.fills])).toEqual([["2024-04-30", 1], ["2024-05-01", 1]]);
    expect(late[1].realizedQuote).toBeCloseTo(22.5, 9);
  });

  test("last N fills, oldest first", () => {
    const { ledger, account } = traded();
    ledger.recordFill(account.id, fill("t3", "buy", 100, 0.1, 0.01, DAY2 + 1000));
    expect(ledger.fills(account.id, 2).map((f) => f.tradeId)).toEqual(["t2", "t3"]);
  });

  test("accounts are separate; a new one starts from its own balances", () => {
    const { ledger, account } = traded();
    const fresh = ledger.openAccount({ ...account, created_ts: DAY2, initial_base: 0, initial_quote: 500 });
    expect(ledger.currentAccount("paper", "ETH/USDT")!.id).toBe(fresh.id);
    expect(ledger.pnl(fresh, 120)).toMatchObject({ base: 0, quote: 500, fills: 0 });
    expect(ledger.fills(account.id).length).toBe(2); // history kept
  });
});

describe("statements", () => {
  test("each SQL text is prepared once, the funding rows' too, however often it runs", () => {
    const { ledger, account } = withAccount();
    const prepared: string[] = [];
    const prepare = ledger.db.prepare.bind(ledger.db);
    ledger.db.prepare = (sql: string) => (prepared.push(sql), prepare(sql));
    for (let i = 0; i < 3; i++) {
      const ts = DAY1 + i * 8 * 3_600_000;
      ledger.recordFunding(account.id, {
        id: `f${i}`,
        ts,
        amountQuote: -0.1,
        rate: 1e-4,
        price: 100,
        positionBase: 10,
      });
      ledger.recordFill(account.id, fill(`t${i}`, "buy", 90, 0.1, 0.01, ts));
      expect(ledger.funding(account.id)).toHaveLength(i + 1);
      expect(ledger.lastFundingTs(account.id)).toBe(ts);
    }
    expect(prepared.length).toBeGreaterThan(0);
    expect(new Set(prepared).size).toBe(prepared.length); // none prepared twice
  });
});

describe("schema", () => {
  test("a version-1 database is migrated forward with its data intact", () => {
    const path = tmp();
    const old = new DatabaseSync(path);
    old.exec(MIGRATIONS[0]);
    old.exec("PRAGMA user_version = 1");
    old.exec("INSERT INTO accounts VALUES (1, 0, 'paper', 'ETH/USDT', 1, 1000, 100)");
    old.exec("INSERT INTO fills VALUES ('old-1', 1, 'mmbot-x', 'buy', 90, 1, 0.09, 1000)");
    old.close();
    const ledger = Ledger.open(path);
    expect(Number((ledger.db.prepare("PRAGMA user_version").get() as { user_version: number }).user_version)).toBe(
      SCHEMA_VERSION,
    );
    expect(SCHEMA_VERSION).toBe(6);
    expect(ledger.fills(1)).toEqual([{
      ...fill("old-1", "buy", 90, 1, 0.09, 1000),
      clientOrderId: "mmbot-x",
      spreadCaptureBps: null,
    }]);
    ledger.recordFill(1, fill("new-1", "sell", 110, 1, 0.11, 2000), 4.5);
    expect(ledger.fills(1).at(-1)!.spreadCaptureBps).toBe(4.5);
  });

  test("order rows written with the old words read with the new ones: canceled → cancelled, closed → abandoned", () => {
    const path = tmp();
    const old = new DatabaseSync(path);
    for (const m of MIGRATIONS.slice(0, 3)) old.exec(m);
    old.exec("PRAGMA user_version = 3");
    old.exec("INSERT INTO accounts VALUES (1, 0, 'paper', 'ETH/USDT', 1, 1000, 100)");
    const row = (id: string, status: string) =>
      old.exec(`INSERT INTO orders VALUES ('${id}', 'v-${id}', 1, 'buy', 90, 1, 0, '${status}', 1000, 1000)`);
    row("mmbot-1", "canceled");
    row("mmbot-2", "closed");
    row("mmbot-3", "filled");
    row("mmbot-4", "open");
    row("mmbot-5", "rejected");
    old.close();
    const ledger = Ledger.open(path);
    const rows = ledger.db.prepare("SELECT client_order_id, status FROM orders ORDER BY client_order_id").all();
    expect(rows.map((r) => [r.client_order_id, r.status])).toEqual([
      ["mmbot-1", "cancelled"],
      ["mmbot-2", "abandoned"],
      ["mmbot-3", "filled"],
      ["mmbot-4", "open"],
      ["mmbot-5", "rejected"],
    ]);
    expect(ledger.openOrderIds(1)).toEqual(["mmbot-4"]);
  });

  test("order rows from before levels read as level 0; new rows keep the level they were placed for", () => {
    const path = tmp();
    const old = new DatabaseSync(path);
    for (const m of MIGRATIONS.slice(0, 4)) old.exec(m);
    old.exec("PRAGMA user_version = 4");
    old.exec("INSERT INTO accounts VALUES (1, 0, 'paper', 'ETH/USDT', 1, 1000, 100)");
    old.exec("INSERT INTO orders VALUES ('mmbot-1', 'v-1', 1, 'buy', 90, 1, 0, 'cancelled', 1000, 1000)");
    old.close();
    const ledger = Ledger.open(path);
    const order = (id: string, level?: number) => ({
      clientOrderId: id,
      venueOrderId: `v-${id}`,
      side: "sell" as const,
      price: 110,
      amount: 1,
      filled: 0,
      status: "open" as const,
      ts: 2000,
      ...(level === undefined ? {} : { level }),
    });
    ledger.recordOrder(1, order("mmbot-2"), 2000);
    ledger.recordOrder(1, order("mmbot-3", 2), 2000);
    const rows = ledger.db.prepare("SELECT client_order_id, level FROM orders ORDER BY client_order_id").all();
    expect(rows.map((r) => [r.client_order_id, r.level])).toEqual([["mmbot-1", 0], ["mmbot-2", 0], ["mmbot-3", 2]]);
  });

  test("a peak kept before the strategy basis was measured from the account's start is dropped; the rest stays", () => {
    const path = tmp();
    const old = new DatabaseSync(path);
    for (const m of MIGRATIONS.slice(0, 5)) old.exec(m);
    old.exec("PRAGMA user_version = 5");
    old.exec("INSERT INTO state VALUES ('peak_equity:1', '6123.5'), ('kill_switch', 'true'), ('paused', 'true')");
    old.close();
    const ledger = Ledger.open(path);
    expect(ledger.peakEquity(1)).toBeNull();
    expect(ledger.killSwitch).toBe(true);
    expect(ledger.paused).toBe(true);
  });
});

describe("bad conditions stop the bot and leave the data alone", () => {
  const refused = (path: string, opts = {}) => {
    try {
      Ledger.open(path, opts).close();
      return "opened";
    } catch (e) {
      expect(e).toBeInstanceOf(LedgerError);
      return (e as Error).message;
    }
  };

  test("a database from a newer mmbot", () => {
    const path = tmp();
    const db = new DatabaseSync(path);
    db.exec("PRAGMA user_version = 99");
    db.close();
    const before = readFileSync(path);
    expect(refused(path)).toContain("schema version 99, newer than this mmbot understands (6)");
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  test("a corrupt file", () => {
    const path = tmp();
    writeFileSync(path, "this is not a database, but somebody's precious notes\n".repeat(200));
    const before = readFileSync(path);
    expect(refused(path)).toContain("is not a usable SQLite database");
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  test("a database locked by another process", () => {
    const { path, ledger } = withAccount();
    ledger.close();
    const other = new DatabaseSync(path);
    other.exec("BEGIN EXCLUSIVE");
    expect(refused(path, { busyTimeoutMs: 100 })).toContain("locked by another process");
    other.exec("ROLLBACK");
    other.close();
    expect(refused(path)).toBe("opened"); // fine once the lock is gone
  });

  test("a path that cannot be written", () => {
    expect(refused("/proc/mmbot-test/ledger.sqlite")).toContain("storage.path /proc/mmbot-test/ledger.sqlite: cannot");
    const dir = mkdtempSync(join(tmpdir(), "mmbot-ledger-"));
    writeFileSync(join(dir, "file"), "x");
    expect(refused(join(dir, "file", "ledger.sqlite"))).toContain("cannot create its directory");
  });
});
