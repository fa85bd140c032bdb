import { describe, expect, test } from "bun:test";
import { IdSequence } from "../../lib/core/id-sequence.ts";

/** the ids from `from` to `to` (sequence numbers), as made one after another */
const ids = (prefix: string, from: number, to: number) => {
  const seq = new IdSequence(prefix, from - 1), out: string[] = [];
  for (let n = from; n <= to; n++) out.push(seq.next());
  return out;
};

describe("ids made of a prefix and a sequence", () => {
  test("the same strings as the prefix and the number written out, across every thousand", () => {
    expect(ids("mmbot-", 1, 3)).toEqual(["mmbot-1", "mmbot-2", "mmbot-3"]);
    expect(ids("mmbot-", 998, 1002)).toEqual(["mmbot-998", "mmbot-999", "mmbot-1000", "mmbot-1001", "mmbot-1002"]);
    expect(ids("bt-o", 1999, 2001)).toEqual(["bt-o1999", "bt-o2000", "bt-o2001"]);
    expect(ids("x", 9_999, 10_010).at(-1)).toBe("x10010");
    expect(ids("x", 120_045, 120_046)).toEqual(["x120045", "x120046"]);
    expect(ids("mmbot-k3x9-", 1_000_000, 1_000_000)).toEqual(["mmbot-k3x9-1000000"]);
  });

  test("every id of a long run is the number written out, none repeated", () => {
    const seq = new IdSequence("p-"), seen = new Set<string>();
    for (let n = 1; n <= 25_000; n++) {
      const id = seq.next();
      if (id !== `p-${n}`) throw new Error(`${n}: ${id}`);
      seen.add(id);
    }
    expect(seen.size).toBe(25_000);
    expect(seq.last).toBe(25_000);
  });

  test("started after `last`, it goes on from there", () => {
    const seq = new IdSequence("mmbot-", 41);
    expect(seq.next()).toBe("mmbot-42");
    expect(seq.last).toBe(42);
  });
});
