import { describe, expect, test } from "bun:test";
import { OrderDesk } from "../../lib/engine/desk.ts";
import { ManualClock } from "../../lib/engine/clock.ts";
import type { Order } from "../../lib/core/types.ts";
import type { ExchangePort } from "../../lib/venues/port.ts";

const order = (id: string): Order => ({
  clientOrderId: id,
  venueOrderId: `v-${id}`,
  side: "buy",
  price: 100,
  amount: 0.1,
  filled: 0,
  status: "open",
  ts: 0,
});
const orders = ["a", "b", "c", "d"].map(order);
/** A venue whose cancel answers with `answer(id)`: a value, a promise, or a throw. */
const desk = (answer: (id: string) => void | Promise<void>) =>
  new OrderDesk({ cancel: (o: Order) => answer(o.clientOrderId) } as unknown as ExchangePort, new ManualClock(0));
const ids = (r: { cancelled: Order[]; failed: Order[] }) =>
  [r.cancelled, r.failed].map((os) => os.map((o) => o.clientOrderId));

describe("order desk: cancels", () => {
  test("a venue that answers with values gets a value back, a failure noted and the rest cancelled", () => {
    const r = desk((id) => {
      if (id === "b") throw new Error("no such order");
    }).cancel(orders);
    expect(r instanceof Promise).toBe(false);
    expect(ids(r as Exclude<typeof r, Promise<unknown>>)).toEqual([["a", "c", "d"], ["b"]]);
  });

  test("from the first promise on, each cancel waits for the one before; a rejection fails only its order", async () => {
    const asked: string[] = [];
    const r = desk((id) => {
      asked.push(id);
      if (id === "a") return; // a value first
      return id === "c" ? Promise.reject(new Error("timeout")) : Promise.resolve();
    }).cancel(orders);
    expect(r instanceof Promise).toBe(true);
    expect(asked).toEqual(["a", "b"]); // c waits for b's answer
    const done = await r;
    expect(asked).toEqual(["a", "b", "c", "d"]);
    expect(ids(done)).toEqual([["a", "b", "d"], ["c"]]);
    expect((done.error as Error).message).toBe("timeout");
  });
});

describe("order desk: client order ids", () => {
  const venue = {} as ExchangePort;
  test("live and paper: the prefix, the run's random id, a sequence; another run (a restart) has other ids", () => {
    const a = new OrderDesk(venue, new ManualClock(0)), b = new OrderDesk(venue, new ManualClock(0));
    const first = a.nextClientOrderId("mmbot-");
    expect(first).toMatch(/^mmbot-[0-9a-z]{7}-1$/);
    expect(a.nextClientOrderId("mmbot-")).toBe(`${first.slice(0, -1)}2`);
    expect(b.nextClientOrderId("mmbot-")).not.toBe(first); // 36^7 run ids: a repeat once in ~8e10 restarts
  });

  test("without a run id (a backtest's): the prefix and the sequence, unique within the run, short", () => {
    const d = new OrderDesk(venue, new ManualClock(0), "");
    const ids = Array.from({ length: 200_000 }, () => d.nextClientOrderId("mmbot-"));
    expect(ids.slice(0, 3)).toEqual(["mmbot-1", "mmbot-2", "mmbot-3"]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.at(-1)).toBe("mmbot-200000"); // 12 characters: a flat string, not a concatenation (options.ts)
  });
});
