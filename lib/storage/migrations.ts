/** The ledger's schema, as forward migrations: a file from any earlier mmbot opens and is brought up to date. */

/** Forward migrations; the schema version is `PRAGMA user_version` = how many have run. */
export const MIGRATIONS: string[] = [
  // 1: the first schema
  `CREATE TABLE accounts (
     id INTEGER PRIMARY KEY,
     created_ts INTEGER NOT NULL,
     mode TEXT NOT NULL,
     symbol TEXT NOT NULL,
     initial_base REAL NOT NULL,
     initial_quote REAL NOT NULL,
     initial_mid REAL NOT NULL
   );
   CREATE TABLE orders (
     client_order_id TEXT PRIMARY KEY,
     venue_order_id TEXT,
     account_id INTEGER NOT NULL REFERENCES accounts (id),
     side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
     price REAL NOT NULL,
     amount REAL NOT NULL,
     filled REAL NOT NULL DEFAULT 0,
     status TEXT NOT NULL,
     created_ts INTEGER NOT NULL,
     updated_ts INTEGER NOT NULL
   );
   CREATE TABLE fills (
     trade_id TEXT PRIMARY KEY,
     account_id INTEGER NOT NULL REFERENCES accounts (id),
     client_order_id TEXT NOT NULL,
     side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
     price REAL NOT NULL,
     amount REAL NOT NULL,
     fee_quote REAL NOT NULL,
     ts INTEGER NOT NULL
   );
   CREATE TABLE equity (
     account_id INTEGER NOT NULL REFERENCES accounts (id),
     ts INTEGER NOT NULL,
     mid REAL NOT NULL,
     base REAL NOT NULL,
     quote REAL NOT NULL,
     equity REAL NOT NULL,
     PRIMARY KEY (account_id, ts)
   );
   CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  // 2: spread capture per fill, and fills by time
  `ALTER TABLE fills ADD COLUMN spread_capture_bps REAL;
   CREATE INDEX fills_by_account_ts ON fills (account_id, ts);`,
  // 3: perp funding payments, one row each (the venue's income id, or funding-<ts> when computed); a fee paid in
  // an asset other than base or quote (BNB) kept as paid beside its value in quote
  `CREATE TABLE funding (
     id TEXT NOT NULL,
     account_id INTEGER NOT NULL REFERENCES accounts (id),
     ts INTEGER NOT NULL,
     amount_quote REAL NOT NULL,
     rate REAL,
     price REAL,
     position_base REAL,
     PRIMARY KEY (account_id, id)
   );
   ALTER TABLE fills ADD COLUMN fee_asset TEXT;
   ALTER TABLE fills ADD COLUMN fee_amount REAL;`,
  // 4: one word each (DESIGN §1): order rows read `cancelled`, not `canceled`; a row a dead run left open reads
  // `abandoned`, not `closed` (ccxt's word for filled)
  `UPDATE orders SET status = 'cancelled' WHERE status = 'canceled';
   UPDATE orders SET status = 'abandoned' WHERE status = 'closed';`,
  // 5: levels (strategy.levels): which quote of its side an order was placed for, 0 the nearest; older rows were 0
  `ALTER TABLE orders ADD COLUMN level INTEGER NOT NULL DEFAULT 0;`,
  // 6: the kill switch's strategy basis is now measured from the account's starting balances; peaks kept before were
  // measured from balances re-based at each start, so against the new basis a market that rose since would read as a
  // drawdown: the peak is measured afresh (as /resume does); a tripped kill switch stays tripped (its own key)
  `DELETE FROM state WHERE key LIKE 'peak_equity:%';`,
];
export const SCHEMA_VERSION = MIGRATIONS.length;
