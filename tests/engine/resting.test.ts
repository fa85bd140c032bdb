import { describe, expect, test } from "bun:test";
import { RestingOrders } from "../../lib/engine/resting.ts";
import { openOrder } from "../fixtures.ts";

const shown = (r: RestingOrders) => r.openWithLevels.map((o) => [o.clientOrderId, o.level ?? 0]);

describe("what rests, with the level each order was placed for", () => {
  test("the paper exchange lists the orders it handed out: each keeps its level through kept ticks", () => {
    const r = new RestingOrders();
    const [b0, b1, a0, a2] = [
      openOrder("b0", "buy", 99),
      openOrder("b1", "buy", 98),
      openOrder("a0", "sell", 101),
      openOrder("a2", "sell", 103),
    ];
    r.quoting([]);
    r.placed(b0, 0), r.placed(b1, 1), r.placed(a0, 0), r.placed(a2, 2);
    expect(shown(r)).toEqual([["b0", 0], ["b1", 1], ["a0", 0], ["a2", 2]]);
    r.quoting([a2, b1, a0]); // kept in another order; b0 gone
    expect(shown(r)).toEqual([["a2", 2], ["b1", 1], ["a0", 0]]);
    r.quoting([b1]);
    r.placed(a2, 0); // ids are never reused, but were one placed again at level 0, it would read 0, not 2
    expect(shown(r)).toEqual([["b1", 1], ["a2", 0]]);
  });

  test("a live venue lists fresh objects: the level is found by client id, and forgotten once the order is gone", () => {
    const r = new RestingOrders();
    r.quoting([]);
    r.placed(openOrder("b1", "buy", 98), 1);
    r.placed(openOrder("a2", "sell", 103), 2);
    r.quoting([openOrder("a2", "sell", 103), openOrder("b1", "buy", 98)]); // the listing: copies, in the venue's order
    expect(shown(r)).toEqual([["a2", 2], ["b1", 1]]);
    expect(r.openWithLevels[0]).not.toBe(r.open[0]); // shown with its level; the listed order is left as it is
    expect(r.open[0].level).toBeUndefined();
    r.quoting([openOrder("b1", "buy", 98)]);
    r.quoting([openOrder("b1", "buy", 98), openOrder("a2", "sell", 103)]); // a2 listed again after it had gone: unknown now
    expect(shown(r)).toEqual([["b1", 1], ["a2", 0]]);
  });

  test("no order deeper than level 0: the orders are shown as listed, no copies", () => {
    const r = new RestingOrders();
    const o = openOrder("b0", "buy", 99);
    r.quoting([]);
    r.placed(o, 0);
    r.quoting([o]);
    expect(r.openWithLevels[0]).toBe(o);
    r.placed(openOrder("b1", "buy", 98), 1); // a deeper one came and went: shown as listed again
    r.quoting([o]);
    expect(r.openWithLevels).toBe(r.open);
  });

  test("a pull that leaves orders resting keeps their levels", () => {
    const r = new RestingOrders();
    const b1 = openOrder("b1", "buy", 98), a0 = openOrder("a0", "sell", 101);
    r.quoting([]);
    r.placed(b1, 1), r.placed(a0, 0);
    const p = r.pulled({ cancelled: [a0], resting: [b1], confirmed: true, error: null }, (t) => t);
    expect(p.resting).toEqual([b1]);
    expect(shown(r)).toEqual([["b1", 1]]);
    expect(r.stuck).toEqual([b1]);
  });
});
