import { afterEach, describe, expect, test } from "bun:test";
import { type ChildProcess, spawn } from "node:child_process";
import {
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { LedgerError } from "../../lib/storage/ledger.ts";
import { acquireInstanceLock, type InstanceLock } from "../../lib/storage/lock.ts";
import { until } from "../fixtures.ts";

const dirs: string[] = [];
const tmpDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "mmbot-lock-"));
  dirs.push(dir);
  return dir;
};
const tmp = () => join(tmpDir(), "ledger.sqlite");
const LOCK_MODULE = new URL("../../lib/storage/lock.ts", import.meta.url).href;
const REPO = new URL("../..", import.meta.url).pathname;

const locks: InstanceLock[] = [];
const children: ChildProcess[] = [];

afterEach(() => {
  for (const lock of locks.splice(0)) lock.release();
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function take(ledgerPath: string): InstanceLock {
  const lock = acquireInstanceLock(ledgerPath);
  locks.push(lock);
  return lock;
}

/** The LedgerError a refused acquire throws (fails the test if it is not refused). */
function refusal(ledgerPath: string): LedgerError {
  try {
    take(ledgerPath);
  } catch (e) {
    expect(e).toBeInstanceOf(LedgerError);
    return e as LedgerError;
  }
  throw new Error(`the lock on ${ledgerPath} was granted twice`);
}

/**
 * Another process holding the lock: `deno eval` or `bun -e` importing lib/storage/lock.ts. It prints
 * "locked <pid>" once it holds the lock, and exits normally when its stdin closes (releasing first
 * when asked to, otherwise leaving it to the end of the process).
 */
async function holder(runtime: "deno" | "bun", ledgerPath: string, opts: { releaseOnExit?: boolean } = {}) {
  const script = [
    `import process from "node:process";`,
    `import { acquireInstanceLock } from ${JSON.stringify(LOCK_MODULE)};`,
    `const lock = acquireInstanceLock(${JSON.stringify(ledgerPath)});`,
    `console.log("locked " + process.pid);`,
    `process.stdin.on("data", () => {});`,
    `process.stdin.on("end", () => { ${opts.releaseOnExit ? "lock.release();" : ""} process.exit(0); });`,
  ].join("\n");
  const child = spawn(runtime, runtime === "deno" ? ["eval", script] : ["-e", script], {
    cwd: REPO,
    stdio: ["pipe", "pipe", "pipe"],
  });
  children.push(child);
  let out = "", err = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (err += d));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal }))
  );
  let gone = false;
  exited.then(() => (gone = true));
  try {
    await until(() => out.includes("locked") || gone, `${runtime} child to print "locked"`);
  } catch (e) {
    throw new Error(`${(e as Error).message}; stdout: ${out}; stderr: ${err}`);
  }
  if (!out.includes("locked")) {
    throw new Error(`${runtime} child exited without the lock; stdout: ${out}; stderr: ${err}`);
  }
  expect(out).toContain(`locked ${child.pid}`);
  return { child, exited, pid: child.pid!, out: () => out, err: () => err };
}

const sideFile = (ledgerPath: string) => `${ledgerPath}.lock.json`;
const bunGc = (sync: boolean) => (globalThis as unknown as { Bun: { gc(sync: boolean): void } }).Bun.gc(sync);

describe("in one process", () => {
  test("a second lock on the same ledger is refused, naming the holder's pid, host and since", () => {
    const path = tmp();
    const before = Date.now();
    const first = take(path);
    const e = refusal(path);
    expect(first.path).toBe(`${path}.lock`);
    expect(first.holder.pid).toBe(process.pid);
    expect(first.holder.host).toBe(hostname());
    const since = Date.parse(first.holder.since);
    expect(new Date(since).toISOString()).toBe(first.holder.since);
    expect(since).toBeGreaterThanOrEqual(before - 1000);
    expect(since).toBeLessThanOrEqual(Date.now() + 1000);
    expect(e.message).toStartWith(`storage.path ${path} is in use by another mmbot (`);
    expect(e.message).toContain(`pid ${process.pid} on host ${hostname()}, since ${first.holder.since}`);
    expect(e.message).toContain("stop it first, or point storage.path at another file");
    // refused again and again: a refused attempt does not disturb the holder
    expect(refusal(path).message).toContain(`pid ${process.pid}`);
  });

  test("other ledgers are not affected", () => {
    const a = tmp(), b = tmp();
    take(a);
    expect(() => take(b)).not.toThrow();
    expect(() => take(`${a}-other`)).not.toThrow();
  });

  test("one ledger under another spelling is refused: a symlink, ./, .., a hard link, a link to its directory", () => {
    const dir = tmpDir();
    const path = join(dir, "ledger.sqlite");
    const first = take(path);
    mkdirSync(join(dir, "sub"));
    symlinkSync(path, join(dir, "alias.sqlite"));
    symlinkSync(dir, join(tmpDir(), "dirlink"));
    const dirlink = join(dirs.at(-1)!, "dirlink", "ledger.sqlite");
    linkSync(path, join(dir, "hard.sqlite")); // another name for the same inode: realpath cannot see it
    for (
      const spelling of [join(dir, "alias.sqlite"), `${dir}/./ledger.sqlite`, `${dir}/sub/../ledger.sqlite`, dirlink]
    ) {
      expect(refusal(spelling).message).toContain(`pid ${process.pid} on host ${hostname()}`);
    }
    expect(refusal(join(dir, "hard.sqlite")).message).toContain(`since ${first.holder.since}`);
    // none of the refused spellings left a lock file of its own beside the link
    expect(existsSync(join(dir, "alias.sqlite.lock"))).toBe(false);
    first.release();
    expect(() => take(join(dir, "alias.sqlite")).release()).not.toThrow(); // free again under any name
  });

  test("a ledger reached through a symlink is locked where the file is, and a missing target is created there", () => {
    const dir = tmpDir();
    symlinkSync(join(dir, "real.sqlite"), join(dir, "alias.sqlite")); // dangling until the first start
    const lock = take(join(dir, "alias.sqlite"));
    expect(lock.path).toBe(`${realpathSync(dir)}/real.sqlite.lock`);
    expect(statSync(join(dir, "real.sqlite")).size).toBe(0);
    expect(refusal(join(dir, "real.sqlite")).message).toContain(`pid ${process.pid}`);
  });

  test("release lets the next one take it, and removes the side file", () => {
    const path = tmp();
    const first = take(path);
    expect(JSON.parse(readFileSync(sideFile(path), "utf8"))).toEqual(first.holder);
    first.release();
    expect(existsSync(sideFile(path))).toBe(false);
    const second = take(path);
    expect(JSON.parse(readFileSync(sideFile(path), "utf8"))).toEqual(second.holder);
    // releasing the old one again is harmless: the new holder keeps its lock and its side file
    first.release();
    expect(existsSync(sideFile(path))).toBe(true);
    expect(refusal(path).message).toContain(`since ${second.holder.since}`);
  });

  test("release leaves a side file naming someone else alone", () => {
    const path = tmp();
    const lock = take(path);
    const other = { pid: lock.holder.pid + 1, host: lock.holder.host, since: lock.holder.since };
    writeFileSync(sideFile(path), JSON.stringify(other));
    lock.release();
    expect(JSON.parse(readFileSync(sideFile(path), "utf8"))).toEqual(other);
  });

  test("the lock holds when the caller keeps no reference to it", async () => {
    // the dropped lock is held until the process ends, so its ledger stays too: deleted, its inode could be reused by
    // a later test's ledger, which the held inode lock would then refuse as "this very process"
    const dir = mkdtempSync(join(tmpdir(), "mmbot-lock-"));
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, "ledger.sqlite");
    acquireInstanceLock(path); // dropped on purpose; a collected connection would drop the OS lock
    for (let i = 0; i < 3; i++) {
      bunGc(true);
      await new Promise((r) => setTimeout(r, 0));
    }
    expect(refusal(path).message).toContain(`pid ${process.pid}`);
  });

  test("without a readable side file the refusal says it is held by another process", () => {
    const path = tmp();
    take(path);
    rmSync(sideFile(path));
    expect(refusal(path).message).toBe(
      `storage.path ${path} is in use by another mmbot (held by another process); stop it first, or point storage.path at another file`,
    );
    writeFileSync(sideFile(path), "{not json");
    expect(refusal(path).message).toContain("(held by another process)");
  });

  test("a path that cannot hold a lock file is a LedgerError naming it", () => {
    const dir = tmpDir();
    writeFileSync(join(dir, "file"), "");
    const path = join(dir, "file", "ledger.sqlite"); // its directory is a file
    expect(() => take(path)).toThrow(LedgerError);
    expect(() => take(path)).toThrow(`storage.path ${path}`);
  });
});

for (const runtime of ["deno", "bun"] as const) {
  describe(`across processes (the other on ${runtime})`, () => {
    test("a holder killed with SIGKILL leaves no stale lock: it is taken over", async () => {
      const path = tmp();
      const h = await holder(runtime, path);
      expect(refusal(path).message).toContain(`pid ${h.pid} on host ${hostname()}, since `);
      h.child.kill("SIGKILL");
      expect((await h.exited).signal).toBe("SIGKILL");
      expect(readHolderPid(path)).toBe(h.pid); // its side file is left behind, naming the dead holder
      const lock = take(path);
      expect(JSON.parse(readFileSync(sideFile(path), "utf8"))).toEqual(lock.holder);
      // and the new holder is respected in turn
      expect(refusal(path).message).toContain(`pid ${process.pid}`);
    });

    test("a holder that exited normally without releasing leaves no stale lock", async () => {
      const path = tmp();
      const h = await holder(runtime, path);
      expect(refusal(path).message).toContain(`pid ${h.pid}`);
      h.child.stdin.end();
      expect((await h.exited).code).toBe(0);
      const lock = take(path);
      expect(lock.holder.pid).toBe(process.pid);
    });

    test("a holder that released and exited removes its side file", async () => {
      const path = tmp();
      const h = await holder(runtime, path, { releaseOnExit: true });
      expect(readHolderPid(path)).toBe(h.pid);
      h.child.stdin.end();
      expect((await h.exited).code).toBe(0);
      expect(existsSync(sideFile(path))).toBe(false);
      expect(() => take(path)).not.toThrow();
    });

    test("a lock held here refuses the other process, naming this one", async () => {
      const path = tmp();
      const lock = take(path);
      const child = spawn(runtime, runtime === "deno" ? ["eval", tryScript(path)] : ["-e", tryScript(path)], {
        cwd: REPO,
        stdio: ["ignore", "pipe", "pipe"],
      });
      children.push(child);
      let out = "";
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (out += d));
      const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
      expect(out).toContain(`refused: LedgerError: storage.path ${path} is in use by another mmbot`);
      expect(out).toContain(`pid ${process.pid} on host ${hostname()}, since ${lock.holder.since})`);
      expect(out).not.toContain("this very process");
      expect(code).toBe(3);
    });
  });
}

function tryScript(ledgerPath: string): string {
  return [
    `import process from "node:process";`,
    `import { acquireInstanceLock } from ${JSON.stringify(LOCK_MODULE)};`,
    `try { acquireInstanceLock(${JSON.stringify(ledgerPath)}); console.log("locked"); process.exit(0); }`,
    `catch (e) { console.log("refused: " + e.name + ": " + e.message); process.exit(3); }`,
  ].join("\n");
}

function readHolderPid(ledgerPath: string): number | undefined {
  try {
    return JSON.parse(readFileSync(sideFile(ledgerPath), "utf8")).pid;
  } catch {
    return undefined;
  }
}
