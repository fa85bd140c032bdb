import { describe, expect, test } from "bun:test";
import { drive, type Work } from "../../lib/engine/drive.ts";

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
