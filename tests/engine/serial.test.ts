import { describe, expect, test } from "bun:test";
import { Serial } from "../../lib/engine/serial.ts";

describe("Serial", () => {
  test("idle: work that does not wait runs at once and returns its value, no promise", () => {
    const serial = new Serial();
    expect(serial.run(() => 42)).toBe(42);
  });

  test("work that waits holds the line: later work starts only after it settles, in call order", async () => {
    const serial = new Serial();
    const order: string[] = [];
    let release!: () => void;
    const first = serial.run(async () => {
      order.push("first starts");
      await new Promise<void>((r) => (release = r));
      order.push("first ends");
    });
    const second = serial.run(() => order.push("second"));
    expect(second).toBeInstanceOf(Promise);
    expect(order).toEqual(["first starts"]);
    release();
    await first;
    await second;
    expect(order).toEqual(["first starts", "first ends", "second"]);
    expect(serial.run(() => "idle again")).toBe("idle again");
  });

  test("work asked for from inside synchronous work (a listener during a tick) waits until it has finished", async () => {
    const serial = new Serial();
    const order: string[] = [];
    let inner: unknown;
    serial.run(() => {
      order.push("tick starts");
      inner = serial.run(() => order.push("pause"));
      order.push("tick ends");
    });
    expect(order).toEqual(["tick starts", "tick ends"]);
    await inner;
    expect(order).toEqual(["tick starts", "tick ends", "pause"]);
  });

  test("…and also when that work goes on to wait for the venue (a tick that becomes async after a listener asked)", async () => {
    const serial = new Serial();
    const order: string[] = [];
    let release!: () => void;
    let inner: unknown;
    const outer = serial.run(() => {
      order.push("tick starts");
      inner = serial.run(() => order.push("pause"));
      return (async () => {
        await new Promise<void>((r) => (release = r));
        order.push("tick ends");
      })();
    });
    await Promise.resolve();
    await Promise.resolve();
    expect(order).toEqual(["tick starts"]); // the pause has not cut in while the tick waits
    release();
    await outer;
    await inner;
    expect(order).toEqual(["tick starts", "tick ends", "pause"]);
    const later = serial.run(() => "after both");
    expect(await later).toBe("after both");
  });

  test("a failure does not block the line", async () => {
    const serial = new Serial();
    const failed = serial.run(() => Promise.reject(new Error("venue down")));
    const next = serial.run(() => "still runs");
    await expect(failed).rejects.toThrow("venue down");
    expect(await next).toBe("still runs");
  });
});
