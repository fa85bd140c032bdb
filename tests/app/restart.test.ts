import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { start } from "../process.ts";

type Row = { trade_id: string; side: string; price: number; amount: number; fee_quote: number };

describe("crash and restart", () => {
  test("SIGKILL mid-run, several times: no fill lost or doubled, balances reconcile, a pause survives", async () => {
    const ledgerPath = join(mkdtempSync(join(tmpdir(), "mmbot-restart-")), "ledger.sqlite");
    const args = ["--set", "feed.speed=3000", "--set", `storage.path=${ledgerPath}`];
    const printed: string[] = [];
    const fillIds = (out: string) => [...out.matchAll(/ FILL .*\[([^\]]+)\]/g)].map((m) => m[1]);
    const countFills = (out: string) => fillIds(out).length;

    // three runs killed without warning after a few fills each
    for (let run = 0; run < 3; run++) {
      const bot = start(args);
      if (run > 0) await bot.waitFor("continuing paper account #1");
      const until = Date.now() + 20_000;
      while (countFills(bot.out()) < 3 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      bot.child.kill("SIGKILL");
      await bot.exited;
      expect(countFills(bot.out())).toBeGreaterThanOrEqual(3);
      printed.push(...fillIds(bot.out()));
    }

    // a fourth run is paused from outside, then killed
    const paused = start(args);
    await paused.waitFor("| bid ");
    const cmd = spawnSync("deno", ["run", "-P", "mod.ts", "pause", ...args], { encoding: "utf8" });
    expect(cmd.status).toBe(0);
    await paused.waitFor(" paused; cancelled ");
    paused.child.kill("SIGKILL");
    await paused.exited;
    printed.push(...fillIds(paused.out()));

    // the restart stays paused: no orders, no fills
    const db = () => new DatabaseSync(ledgerPath, { readOnly: true });
    const fillsBefore = (() => {
      const d = db();
      const n = (d.prepare("SELECT count(*) AS n FROM fills").get() as { n: number }).n;
      d.close();
      return n;
    })();
    const last = start(args);
    await last.waitFor("paused (set before the restart)");
    await last.waitFor("| paused: paused by the user");
    await new Promise((r) => setTimeout(r, 500)); // ~100 ticks at 3000×
    expect(last.out()).not.toContain("| bid ");
    last.child.kill("SIGTERM");
    expect(await last.exited).toBe(0);

    const d = db();
    const rows = d.prepare("SELECT trade_id, side, price, amount, fee_quote FROM fills ORDER BY rowid").all() as Row[];
    const account = d.prepare("SELECT * FROM accounts").all() as { initial_base: number; initial_quote: number }[];
    d.close();
    expect(rows.length).toBe(fillsBefore);
    expect(account.length).toBe(1); // one paper account, continued by every restart

    // nothing lost: every fill the bot announced is in the ledger; nothing doubled
    const ids = rows.map((r) => r.trade_id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of printed) expect(ids).toContain(id);
    expect(ids.length).toBeGreaterThanOrEqual(printed.length);

    // balances the bot reports at the end = initial + fills − fees, from the ledger's rows
    let base = account[0].initial_base, quote = account[0].initial_quote;
    for (const r of rows) {
      const sign = r.side === "buy" ? 1 : -1;
      base += sign * r.amount;
      quote -= sign * r.price * r.amount + r.fee_quote;
    }
    const m = /balances (\S+) ETH, (\S+) USDT/.exec(last.out());
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeCloseTo(base, 9);
    expect(Number(m![2])).toBeCloseTo(quote, 6);
  }, 90_000);
});
