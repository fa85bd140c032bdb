/**
 * One process per ledger (DESIGN §12). The lock is an OS file lock on `${ledger}.lock`, taken through
 * SQLite (node:sqlite, same on Deno and Bun): an exclusive transaction that stays open for the life of
 * the process. The kernel drops it when the process dies, however it dies, so a killed holder never
 * leaves a stale lock and taking over needs no unlinking. SQLite also sees its own connections, so a
 * second lock in the same process is refused too.
 *
 * Who holds it (pid, host, since) cannot be read from an exclusively locked file, so the holder writes
 * it to `${ledger}.lock.json` once it has the lock; a refused process reads that to name the holder.
 *
 * Nothing else may open the `.lock` file: POSIX drops a process's locks on a file when that process
 * closes any descriptor of it.
 */
import { DatabaseSync } from "node:sqlite";
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import process from "node:process";
import { LedgerError, openDatabase } from "./ledger.ts";

export interface LockHolder {
  pid: number;
  host: string;
  /** ISO time the lock was taken */
  since: string;
}

/**
 * Locks held by this process. A connection nobody references can be garbage collected and closed
 * (Bun does), which would silently drop the lock; these references keep it until release().
 */
const live = new Set<InstanceLock>();

/** A held single-instance lock on one ledger; kept until release() or the end of the process. */
export class InstanceLock {
  #db: DatabaseSync | null;

  private constructor(
    /** the lock file, `${ledgerPath}.lock` */
    readonly path: string,
    /** the side file naming the holder, `${ledgerPath}.lock.json` */
    readonly infoPath: string,
    /** this process, as written to the side file */
    readonly holder: LockHolder,
    db: DatabaseSync,
  ) {
    this.#db = db;
  }

  /** Use acquireInstanceLock(). */
  static acquire(ledgerPath: string): InstanceLock {
    const where = `storage.path ${ledgerPath}`;
    const path = `${ledgerPath}.lock`;
    const infoPath = `${path}.json`;
    const db = openDatabase(path, where, `its lock file ${path}`);
    try {
      db.exec("PRAGMA busy_timeout = 0"); // refuse at once rather than wait for the holder
      db.exec("PRAGMA journal_mode = MEMORY"); // nothing is ever written: no -journal file beside the ledger
      db.exec("PRAGMA locking_mode = EXCLUSIVE");
      db.exec("BEGIN EXCLUSIVE"); // the lock; never committed, ended by release() or by the process dying
    } catch (e) {
      try {
        db.close();
      } catch { /* already failing */ }
      if (isBusy(e)) throw new LedgerError(inUse(ledgerPath, readHolder(infoPath)));
      throw new LedgerError(`${where}: cannot lock ${path}: ${(e as Error).message}`);
    }
    const lock = new InstanceLock(path, infoPath, { pid: process.pid, host: hostName(), since: nowIso() }, db);
    live.add(lock);
    lock.#writeInfo();
    return lock;
  }

  /** Lets the next process take the ledger. Idempotent. */
  release(): void {
    const db = this.#db;
    if (!db) return;
    this.#db = null;
    live.delete(this);
    // while the lock is still ours nobody else can have rewritten the side file, but check anyway
    const info = readHolder(this.infoPath);
    if (info && info.pid === this.holder.pid && info.host === this.holder.host && info.since === this.holder.since) {
      try {
        rmSync(this.infoPath, { force: true });
      } catch { /* only informational */ }
    }
    try {
      db.exec("ROLLBACK");
    } catch { /* closing ends it anyway */ }
    db.close();
  }

  /** Best effort: the side file only names the holder; the lock does not depend on it. */
  #writeInfo(): void {
    const tmp = `${this.infoPath}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, JSON.stringify(this.holder) + "\n");
      renameSync(tmp, this.infoPath); // atomic: a refused process never reads half a file
    } catch {
      try {
        rmSync(tmp, { force: true });
        rmSync(this.infoPath, { force: true }); // better no details than a previous holder's
      } catch { /* nothing more to do */ }
    }
  }
}

/**
 * Takes the single-instance lock for the ledger at `ledgerPath` (lock file `${ledgerPath}.lock`), or
 * throws LedgerError naming the holder (pid, host, since). Keep it for the life of the process.
 */
export function acquireInstanceLock(ledgerPath: string): InstanceLock {
  return InstanceLock.acquire(ledgerPath);
}

/** The holder named by a ledger's side file, or null when it is missing or unreadable. */
export function readHolder(infoPath: string): LockHolder | null {
  try {
    const v = JSON.parse(readFileSync(infoPath, "utf8"));
    if (
      v && Number.isInteger(v.pid) && typeof v.host === "string" && typeof v.since === "string" && v.host && v.since
    ) {
      return { pid: v.pid, host: v.host, since: v.since };
    }
  } catch { /* missing or unreadable */ }
  return null;
}

function inUse(ledgerPath: string, h: LockHolder | null): string {
  const who = h
    ? `pid ${h.pid} on host ${h.host}, since ${h.since}${
      h.pid === process.pid && h.host === hostName() ? "; that is this very process" : ""
    }`
    : "held by another process";
  return `storage.path ${ledgerPath} is in use by another mmbot (${who}); stop it first, or point storage.path at another file`;
}

function isBusy(e: unknown): boolean {
  const err = e as { errcode?: unknown; message?: unknown };
  const code = Number(err?.errcode);
  // SQLITE_BUSY (5) / SQLITE_LOCKED (6) and their extended codes; Deno gives only the message
  if (Number.isInteger(code) && ((code & 0xff) === 5 || (code & 0xff) === 6)) return true;
  return /database is locked|database table is locked|busy/i.test(String(err?.message ?? ""));
}

function hostName(): string {
  try {
    return hostname() || "unknown";
  } catch {
    return "unknown";
  }
}

function nowIso(): string {
  return new Date().toISOString();
}
