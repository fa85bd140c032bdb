import { describe, expect, test } from "bun:test";
import { drive, driveRound, ROUND_END, type Work } from "../../lib/engine/drive.ts";

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

describe("driveRound", () => {
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
    let n = 0, lost = 0;
    const loop = rounds(() => [++n, 10], log);
    for (let i = 0; i < 3; i++) expect(driveRound(loop, () => lost++)).toBeUndefined();
    expect(log).toEqual([11, 12, 13]);
    expect(lost).toBe(0);
  });

  test("a round that waits finishes asynchronously at its end, and the next round goes on from there", async () => {
    const log: number[] = [];
    let n = 0;
    const loop = rounds(() => [Promise.resolve(++n), n === 1 ? Promise.resolve(100) : 10], log);
    const first = driveRound(loop, () => {});
    expect(first).toBeInstanceOf(Promise);
    expect(log).toEqual([]);
    await first;
    expect(log).toEqual([101]);
    await driveRound(loop, () => {});
    expect(log).toEqual([101, 12]);
  });

  test("a loop that throws is lost (its owner makes a new one) and the error propagates, sync or async", async () => {
    const log: number[] = [];
    let lost = 0;
    expect(() => driveRound(rounds(() => [-1, 0], log), () => lost++)).toThrow("bad answer -1");
    expect(lost).toBe(1);
    const waiting = driveRound(rounds(() => [Promise.resolve(-2), 0], log), () => lost++) as Promise<void>;
    await expect(waiting).rejects.toThrow("bad answer -2");
    expect(lost).toBe(2);
    expect(log).toEqual([]);
  });

  test("a loop that ends is lost too", () => {
    let lost = 0;
    function* once(): Work<void> {
      yield ROUND_END;
    }
    const loop = once();
    driveRound(loop, () => lost++);
    expect(lost).toBe(0);
    driveRound(loop, () => lost++);
    expect(lost).toBe(1);
  });
});
