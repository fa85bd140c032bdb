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
 *
 * One ledger has many spellings: a symlink, `./`, `..`, a hard link. The lock is keyed by what the name
 * points at, twice: `${real path}.lock` beside the file the links resolve to (also seen by another host on
 * a shared disk), and a second lock keyed by the file's device and inode in the system's temporary
 * directory (same host), which a hard link under another name cannot dodge. The ledger file is created
 * empty for that (SQLite takes an empty file as a new database).
 */
import { DatabaseSync } from "node:sqlite";
import {
  chmodSync,
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { hostname, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
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

/** One held lock file: the open exclusive transaction and the side file naming its holder. */
interface Held {
  path: string;
  infoPath: string;
  db: DatabaseSync;
}

/** A held single-instance lock on one ledger; kept until release() or the end of the process. */
export class InstanceLock {
  #held: Held[];

  private constructor(
    /** the lock file beside the ledger's real path, `${realPath}.lock` */
    readonly path: string,
    /** the side file naming the holder, `${realPath}.lock.json` */
    readonly infoPath: string,
    /** this process, as written to the side files */
    readonly holder: LockHolder,
    held: Held[],
  ) {
    this.#held = held;
  }

  /** Use acquireInstanceLock(). */
  static acquire(ledgerPath: string): InstanceLock {
    const where = `storage.path ${ledgerPath}`;
    const real = realLedgerPath(ledgerPath, where);
    const holder = { pid: process.pid, host: hostName(), since: nowIso() };
    const held: Held[] = [];
    try {
      held.push(lockFile(`${real}.lock`, ledgerPath, where));
      const id = statSync(real);
      const inodeDir = join(tmpdir(), "mmbot-locks");
      mkdirSync(inodeDir, { recursive: true });
      try {
        chmodSync(inodeDir, 0o1777); // shared like /tmp itself (the umask trims mkdir's mode): other users' bots too
      } catch { /* someone else's: already shared */ }
      held.push(lockFile(join(inodeDir, `ledger-${id.dev}-${id.ino}.lock`), ledgerPath, where));
    } catch (e) {
      for (const h of held) unlock(h);
      if (e instanceof LedgerError) throw e;
      throw new LedgerError(`${where}: cannot lock it: ${(e as Error).message}`);
    }
    const lock = new InstanceLock(held[0].path, held[0].infoPath, holder, held);
    live.add(lock);
    for (const h of held) writeInfo(h.infoPath, holder);
    return lock;
  }

  /** Lets the next process take the ledger. Idempotent. */
  release(): void {
    const held = this.#held;
    if (!held.length) return;
    this.#held = [];
    live.delete(this);
    for (const h of held) {
      // while the lock is still ours nobody else can have rewritten the side file, but check anyway
      const info = readHolder(h.infoPath);
      const mine = this.holder;
      if (info && info.pid === mine.pid && info.host === mine.host && info.since === mine.since) {
        try {
          rmSync(h.infoPath, { force: true });
        } catch { /* only informational */ }
      }
      unlock(h);
    }
  }
}

/**
 * The file the ledger's name points at, through symlinks, `./` and `..`; created empty when missing (its
 * directory too), so that its device and inode exist to be locked.
 */
function realLedgerPath(ledgerPath: string, where: string): string {
  try {
    mkdirSync(dirname(resolve(ledgerPath)), { recursive: true });
    closeSync(openSync(ledgerPath, "a")); // through a symlink: creates or touches its target
    return realpathSync(ledgerPath);
  } catch (e) {
    throw new LedgerError(`${where}: cannot create or resolve the ledger file: ${(e as Error).message}`);
  }
}

/** Takes the exclusive lock on one lock file, or throws LedgerError naming the holder. */
function lockFile(path: string, ledgerPath: string, where: string): Held {
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
  return { path, infoPath, db };
}

function unlock(h: Held): void {
  try {
    h.db.exec("ROLLBACK");
  } catch { /* closing ends it anyway */ }
  h.db.close();
}

/** Best effort: the side file only names the holder; the lock does not depend on it. */
function writeInfo(infoPath: string, holder: LockHolder): void {
  const tmp = `${infoPath}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, JSON.stringify(holder) + "\n");
    renameSync(tmp, infoPath); // atomic: a refused process never reads half a file
  } catch {
    try {
      rmSync(tmp, { force: true });
      rmSync(infoPath, { force: true }); // better no details than a previous holder's
    } catch { /* nothing more to do */ }
  }
}

/**
 * Takes the single-instance lock for the ledger at `ledgerPath` (lock file `${real path}.lock`), or
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
