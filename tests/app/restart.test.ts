import { afterEach, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { start, stopStarted } from "../process.ts";
import { until } from "../fixtures.ts";

// a spawned bot is stopped whatever the test's outcome
afterEach(() => stopStarted());

type Row = { trade_id: string; side: string; price: number; amount: number; fee_quote: number };
type Printed = { id: string; side: "buy" | "sell"; amount: number; price: number; feeText: string };

/** `… FILL sell 0.01 ETH @ 2997.13 (fee 0.0300 USDT), inventory 0.495 [trade id]`, as the console prints it */
const FILL = / FILL (buy|sell) (\S+) ETH @ (\S+) \(fee (\S+) USDT\), inventory \S+ \[([^\]]+)\]/g;
const fillsIn = (out: string): Printed[] =>
  [...out.matchAll(FILL)].map((m) => ({
    side: m[1] as Printed["side"],
    amount: Number(m[2]),
    price: Number(m[3]),
    feeText: m[4],
    id: m[5],
  }));
/** the replay time of each tick line (`2024-05-01 03:38:30 mid …`) */
const tickTimes = (out: string) => [...out.matchAll(/^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) mid /gm)].map((m) => m[1]);
/** where a run resumed the replay (`… replaying data/….csv from 2024-05-01 04:12:05 at 3000× speed`) */
const resumedAt = (out: string) => / replaying \S+ from (\S+ \S+) at /.exec(out)?.[1];
/** the paper exchange charges market.maker_fee_bps (default 10 bp) of each fill's value */
const FEE_RATE = 10 / 10_000;
/** paper.initial_base / paper.initial_quote defaults */
const INITIAL = { base: 1, quote: 3000 };

/** Balances from the fills the bot printed, folded by hand: a buy adds base and pays price × amount + fee. */
function balancesAfter(fills: Printed[]) {
  let base = INITIAL.base, quote = INITIAL.quote;
  for (const f of fills) {
    const value = f.price * f.amount, fee = value * FEE_RATE;
    if (f.side === "buy") {
      base += f.amount;
      quote -= value + fee;
    } else {
      base -= f.amount;
      quote += value - fee;
    }
  }
  return { base, quote };
}

describe("crash and restart", () => {
  test("SIGKILL mid-run, several times: no fill lost or doubled, balances reconcile, a pause survives", async () => {
    const ledgerPath = join(mkdtempSync(join(tmpdir(), "mmbot-restart-")), "ledger.sqlite");
    const args = ["--set", "feed.speed=3000", "--set", `storage.path=${ledgerPath}`];
    const db = () => new DatabaseSync(ledgerPath, { readOnly: true });
    const count = (table: string) => {
      const d = db();
      const n = (d.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
      d.close();
      return n;
    };
    const printed: Printed[] = [];
    // each restart resumes the replay no earlier than the last tick the run before it printed (the position is
    // recorded before the tick line is printed): starting earlier would trade a stretch of the data twice
    let lastTick = "";
    const checkResumed = (out: string) => {
      expect(resumedAt(out)! >= lastTick, `resumed at ${resumedAt(out)}, before ${lastTick}`).toBe(true);
    };
    const ran = (out: string) => {
      lastTick = tickTimes(out).at(-1) ?? lastTick;
      printed.push(...fillsIn(out));
    };

    // three runs killed without warning after a few fills each; every restart says how many fills it
    // rebuilt its books from and what balances came out: both must match the fills printed so far
    for (let run = 0; run < 3; run++) {
      const bot = start(args);
      if (run === 0) {
        await bot.waitFor("new paper account #1: 1 base, 3000 quote");
      } else {
        await bot.waitFor("continuing paper account #1");
        checkResumed(bot.out());
        const m = /continuing paper account #1: (\S+) base, (\S+) quote after (\d+) fills/.exec(bot.out())!;
        const expected = balancesAfter(printed);
        expect(Number(m[3])).toBe(printed.length);
        expect(Number(m[1])).toBeCloseTo(expected.base, 7);
        expect(Number(m[2])).toBeCloseTo(expected.quote, 7);
      }
      await until(() => fillsIn(bot.out()).length >= 3, () => `3 fills in run ${run}; stdout:\n${bot.out()}`);
      bot.child.kill("SIGKILL");
      await bot.exited;
      ran(bot.out());
    }

    // a fourth run is paused from outside, then killed
    const paused = start(args);
    await paused.waitFor("| bid ");
    checkResumed(paused.out());
    const cmd = spawnSync("deno", ["run", "-P", "mod.ts", "pause", ...args], { encoding: "utf8", timeout: 60_000 });
    expect(cmd.status).toBe(0);
    await paused.waitFor(" paused; cancelled ");
    paused.child.kill("SIGKILL");
    await paused.exited;
    ran(paused.out());

    // the restart stays paused: it ticks, but places no order and fills nothing
    const fillsBefore = count("fills"), ordersBefore = count("orders");
    const last = start(args);
    await last.waitFor("paused (set before the restart");
    checkResumed(last.out());
    // 100 ticks the restarted bot printed as paused (25 minutes of replay, ~0.5 s at 3000×): a quote would show
    const pausedTicks = () => last.out().match(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d mid \S+ \| paused/gm)?.length ?? 0;
    await until(() => pausedTicks() >= 100, () => `100 paused ticks; stdout:\n${last.out()}`);
    expect(last.out()).not.toContain("| bid ");
    expect(count("orders")).toBe(ordersBefore);
    last.child.kill("SIGTERM");
    expect(await last.exited).toBe(0);
    expect(fillsIn(last.out())).toEqual([]);

    const d = db();
    const rows = d.prepare("SELECT trade_id, side, price, amount, fee_quote FROM fills ORDER BY rowid").all() as Row[];
    const account = d.prepare("SELECT * FROM accounts").all() as { initial_base: number; initial_quote: number }[];
    d.close();
    expect(rows.length).toBe(fillsBefore);
    expect(account).toMatchObject([{ initial_base: INITIAL.base, initial_quote: INITIAL.quote }]); // one account, continued

    // every fill the runs printed is one ledger row and every row was printed once, in the same order: a fill
    // lost by a kill, or one replayed after a restart under a new trade id, breaks this
    expect(printed.length).toBeGreaterThanOrEqual(9);
    expect(rows.map((r) => [r.trade_id, r.side, r.price, r.amount])).toEqual(
      printed.map((f) => [f.id, f.side, f.price, f.amount]),
    );
    // fees: 10 bp of the fill's value, printed and recorded
    for (const [i, f] of printed.entries()) {
      expect(f.feeText).toBe((f.price * f.amount * FEE_RATE).toFixed(4));
      expect(rows[i].fee_quote).toBeCloseTo(f.price * f.amount * FEE_RATE, 12);
    }

    // the balances the bot reports at the end = initial + the printed fills − 10 bp fees, folded by hand above
    const expected = balancesAfter(printed);
    // printed on the market's grid: base on the lot (0.0001), quote on the tick (0.01)
    const m = /balances (\S+) ETH, (\S+) USDT; (\d+) fills/.exec(last.out());
    expect(m).not.toBeNull();
    expect(m![1]).toBe(String(Number(expected.base.toFixed(4))));
    expect(m![2]).toBe(expected.quote.toFixed(2));
    expect(Number(m![3])).toBe(printed.length);
  }, 90_000);
});
