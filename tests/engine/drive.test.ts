import { describe, expect, test } from "bun:test";
import { drive, ROUND_END, Rounds, type Work } from "../../lib/engine/drive.ts";

function* sum(a: number | Promise<number>, b: number | Promise<number>): Work<number> {
  const x = (yield a) as number;
  const y = (yield b) as number;
  return x + y;
}

describe("drive", () => {
  test("answers that are values: runs straight through and returns the value itself", () => {
    expect(drive(sum(1, 2))).toBe(3);
  });

  test("from the first promise on it continues asynchronously, with the awaited values", async () => {
    const r = drive(sum(1, Promise.resolve(2)));
    expect(r).toBeInstanceOf(Promise);
    expect(await r).toBe(3);
  });

  test("a rejection surfaces where the work waited, so the work's own try/catch sees it", async () => {
    function* guarded(): Work<string> {
      try {
        yield Promise.reject(new Error("503 from the venue"));
        return "not reached";
      } catch (e) {
        return `caught: ${(e as Error).message}`;
      }
    }
    expect(await drive(guarded())).toBe("caught: 503 from the venue");
  });

  test("an error the work does not catch rejects (async) or throws (sync)", async () => {
    function* failing(answer: unknown): Work<void> {
      yield answer;
      throw new Error("bad book");
    }
    await expect(drive(failing(Promise.resolve(1))) as Promise<void>).rejects.toThrow("bad book");
    expect(() => drive(failing(1))).toThrow("bad book");
  });
});

describe("Rounds", () => {
  /** a loop of rounds, each adding what its two answers say to `log` */
  function* rounds(answers: () => [unknown, unknown], log: number[]): Work<void> {
    for (;;) {
      const [a, b] = answers();
      const x = (yield a) as number;
      const y = (yield b) as number;
      if (x < 0) throw new Error(`bad answer ${x}`);
      log.push(x + y);
      yield ROUND_END;
    }
  }

  test("one loop serves every round: values run straight through, one round a call", () => {
    const log: number[] = [];
    let n = 0, made = 0;
    const loop = new Rounds(() => (made++, rounds(() => [++n, 10], log)));
    for (let i = 0; i < 3; i++) expect(loop.run()).toBeUndefined();
    expect(log).toEqual([11, 12, 13]);
    expect(made).toBe(1);
  });

  test("a round that waits finishes asynchronously at its end, and the next round goes on from there", async () => {
    const log: number[] = [];
    let n = 0;
    const loop = new Rounds(() => rounds(() => [Promise.resolve(++n), n === 1 ? Promise.resolve(100) : 10], log));
    const first = loop.run();
    expect(first).toBeInstanceOf(Promise);
    expect(log).toEqual([]);
    await first;
    expect(log).toEqual([101]);
    await loop.run();
    expect(log).toEqual([101, 12]);
  });

  test("a loop that throws is dropped and the error propagates, sync or async; the next round runs a new loop", async () => {
    const log: number[] = [];
    let made = 0;
    const answers = [[-1, 0], [Promise.resolve(-2), 0], [5, 1], [Promise.resolve(7), 1]];
    const loop = new Rounds(() => (made++, rounds(() => answers.shift() as [unknown, unknown], log)));
    expect(() => loop.run()).toThrow("bad answer -1");
    await expect(loop.run() as Promise<void>).rejects.toThrow("bad answer -2");
    expect(made).toBe(2);
    expect(loop.run()).toBeUndefined(); // a third loop: kept from here on
    await loop.run();
    expect([made, log]).toEqual([3, [6, 8]]);
  });

  test("a loop that ends is dropped too: the round after it runs a new one", () => {
    let made = 0, ran = 0;
    function* once(): Work<void> {
      ran++;
      yield ROUND_END;
    }
    const loop = new Rounds(() => (made++, once()));
    loop.run(); // round 1: up to its ROUND_END
    loop.run(); // the loop ends: dropped
    loop.run(); // a new one
    expect([made, ran]).toEqual([2, 2]);
  });

  test("never re-entered: a round asked for while one waits throws, and the waiting one gets its own answer", async () => {
    const log: number[] = [];
    let release!: (x: number) => void;
    const answers: [unknown, unknown][] = [[new Promise<number>((r) => (release = r)), 1], [2, 2]];
    const loop = new Rounds(() => rounds(() => answers.shift()!, log));
    const waiting = loop.run() as Promise<void>;
    expect(() => loop.run()).toThrow("a round is already running");
    release(40);
    await waiting;
    expect(loop.run()).toBeUndefined(); // free again once the round has ended
    expect(log).toEqual([41, 4]);
  });
});
