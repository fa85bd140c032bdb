/** The opener's ledger-backed control: the pause, the kill switch and the peak equity live in the ledger. */
import { afterEach, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import process from "node:process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openBot, type RunningBot } from "../../lib/app/open.ts";
import { Ledger } from "../../lib/storage/ledger.ts";
import { config } from "../fixtures.ts";

const bots: RunningBot[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const b of bots.splice(0)) {
    await b.close();
    b.ledger.close();
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function open(path: string) {
  const bot = await openBot(config(`storage.path=${path}`, "strategy.profile=fixed", "strategy.natr_period=5"), {
    reset: false,
    secrets: { telegramAllowedUsers: [] },
  });
  bots.push(bot);
  return bot;
}

function ledgerPath() {
  const dir = mkdtempSync(join(tmpdir(), "mmbot-open-"));
  dirs.push(dir);
  return join(dir, "ledger.sqlite");
}

describe("one bot per ledger", () => {
  test("a second bot on the same ledger is refused, naming the holder; after close() it may open", async () => {
    const path = ledgerPath();
    const first = await open(path);
    await expect(open(path)).rejects.toThrow(
      new RegExp(`^storage\\.path ${path} is in use by another mmbot \\(pid ${process.pid} on host .+, since \\d{4}-`),
    );
    await first.close();
    first.ledger.close();
    bots.splice(bots.indexOf(first), 1);
    const second = await open(path);
    expect(second.account.id).toBe(first.account.id);
  });

  test("deno run -P mod.ts beside a running bot on the same ledger: exit 2, one line naming the holder", async () => {
    const path = ledgerPath();
    await open(path); // this process holds the ledger
    const r = spawnSync(
      "deno",
      ["run", "-P", "mod.ts", "--set", `storage.path=${path}`, "--set", "http.enabled=false"],
      {
        encoding: "utf8",
        timeout: 60_000,
        env: { ...process.env, TELEGRAM_BOT_TOKEN: "" },
      },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      `mmbot: cannot use the ledger, not trading: storage.path ${path} is in use by another mmbot (pid ${process.pid}`,
    );
    expect(r.stderr).not.toContain("    at ");
    // pause / resume from a shell still work beside it
    const pause = spawnSync("deno", ["run", "-P", "mod.ts", "pause", "--set", `storage.path=${path}`], {
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(pause.status).toBe(0);
  });

  test("`mmbot pause` on a path with no ledger refuses (exit 2) instead of creating one no bot reads", () => {
    const path = ledgerPath(); // a fresh directory: no ledger in it
    const r = spawnSync("deno", ["run", "-P", "mod.ts", "pause", "--set", `storage.path=${path}`], {
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`storage.path ${path}: no ledger there`);
    expect(existsSync(path)).toBe(false);
  });
});

describe("control kept in the ledger", () => {
  test("a peak equity reached before a restart still counts: the kill switch trips on it", async () => {
    const path = ledgerPath();
    const first = await open(path);
    const accountId = first.account.id;
    // the default account: 1 ETH + 3000 USDT at ~3000: equity ~6000; say it had peaked at 10000 before a crash
    first.ledger.setPeakEquity(accountId, 10_000);
    await first.close();
    first.ledger.close();
    bots.length = 0;

    const again = await open(path);
    await again.engine.start();
    await again.engine.tick();
    expect(again.engine.status()).toMatchObject({ state: "killed", killSwitch: true, paused: true });
    expect(again.ledger.killSwitch).toBe(true);
    expect(again.ledger.paused).toBe(true);
    expect(again.ledger.pauseDetail).toStartWith("paused by the kill switch: drawdown 4");
  });

  test("resuming after the kill switch measures the drawdown afresh: the ledger's peak is the equity now", async () => {
    const path = ledgerPath();
    const first = await open(path);
    first.ledger.setPeakEquity(first.account.id, 10_000);
    await first.engine.start();
    await first.engine.tick();
    expect(first.engine.status().state).toBe("killed");
    first.engine.resume();
    // the kill switch's strategy basis (the default): the account's starting value plus what quoting earned over
    // holding its starting balances at this mid (~6000: 1 ETH at ~3000 + 3000 USDT)
    const s = first.engine.status(), a = first.account;
    const start = a.initial_base * a.initial_mid + a.initial_quote;
    const strategy = start + s.pnl!.equity - (a.initial_base * s.mid! + a.initial_quote);
    expect(first.ledger.peakEquity(first.account.id)).toBeCloseTo(strategy, 6);
    expect(s.pnl!.drawdownPct).toBeCloseTo(0, 9);
    expect(first.ledger.killSwitch).toBe(false);
    expect(first.ledger.paused).toBe(false);
  });

  test("open order rows under another client id prefix are named at start: this run cannot cancel them", async () => {
    const path = ledgerPath();
    const first = await open(path);
    const old = {
      venueOrderId: "1",
      side: "buy" as const,
      price: 2900,
      amount: 0.01,
      filled: 0,
      status: "open" as const,
    };
    first.ledger.recordOrder(first.account.id, { ...old, clientOrderId: "old-abc-1", ts: 1 }, 1);
    await first.close();
    first.ledger.close();
    bots.length = 0;
    const again = await open(path);
    expect(again.notes.join("\n")).toContain(
      "WARNING: the ledger lists 1 open order(s) under another client_order_prefix (old-abc-1)",
    );
  });

  test("without that peak the same restart quotes", async () => {
    const bot = await open(ledgerPath());
    await bot.engine.start();
    await bot.engine.tick();
    expect(bot.engine.status().state).toBe("quoting");
  });

  test("only a change of the ledger's flag made elsewhere is obeyed: a failed write never resumes by itself", async () => {
    const path = ledgerPath();
    const bot = await open(path);
    await bot.engine.start();
    await bot.engine.tick();
    // `mmbot pause` from another process
    const cli = Ledger.open(path);
    cli.paused = true;
    await bot.beforeTick();
    expect(bot.engine.paused).toBe(true);
    // the engine pauses (Telegram) while the ledger cannot be written: the flag stays false in the file
    cli.paused = false;
    await bot.beforeTick(); // an explicit resume from the CLI: obeyed
    expect(bot.engine.paused).toBe(false);
    const flag = Object.getOwnPropertyDescriptor(Ledger.prototype, "paused")!;
    let diskFull = true;
    Object.defineProperty(bot.ledger, "paused", {
      configurable: true,
      get: () => flag.get!.call(bot.ledger),
      set: (v: boolean) => {
        if (diskFull) throw new Error("attempt to write a readonly database");
        flag.set!.call(bot.ledger, v);
      },
    });
    await bot.engine.pause("telegram");
    expect(cli.paused).toBe(false); // the write failed
    diskFull = false; // the disk works again
    await bot.beforeTick();
    await bot.engine.tick();
    expect(bot.engine.paused).toBe(true); // not resumed by the stale flag
    cli.close();
  });
});
