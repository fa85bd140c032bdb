import { describe, expect, test } from "bun:test";
import { EventBus } from "../../lib/engine/events.ts";
import type { EngineEvent } from "../../lib/core/events.ts";

const placed = { type: "order_placed", ts: 1 } as EngineEvent;
const tick: EngineEvent = { type: "tick", ts: 1 };
const resumed: EngineEvent = { type: "resumed", ts: 1 };

describe("event bus: who hears what", () => {
  test("a listener of some types hears only those, and only those are heard", () => {
    const bus = new EventBus(), heard: string[] = [];
    const off = bus.on((e) => heard.push(e.type), { types: ["resumed"] });
    for (const e of [placed, tick, resumed]) bus.emit(e);
    expect(heard).toEqual(["resumed"]);
    expect([bus.hears("resumed"), bus.hears("order_placed"), bus.hears("tick")]).toEqual([true, false, false]);
    off();
    expect(bus.hears("resumed")).toBe(false);
  });

  test("a listener of everything hears every type; `ticks: false` all but the tick", () => {
    const bus = new EventBus();
    const off = bus.on(() => {}, { ticks: false });
    expect([bus.hears("order_placed"), bus.hears("tick")]).toEqual([true, false]);
    const offAll = bus.on(() => {});
    expect(bus.hears("tick")).toBe(true);
    off(), offAll();
    expect([bus.hears("order_placed"), bus.hears("tick")]).toEqual([false, false]);
  });
});
