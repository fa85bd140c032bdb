import { describe, expect, test } from "bun:test";
import { closeSync, openSync, readFileSync } from "node:fs";
import { duration, megabytes, ProcessProbe } from "../../lib/engine/process.ts";

/** The kernel's own count, read independently of the probe. */
const vmRssBytes = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync("/proc/self/status", "utf8"))![1]) * 1024;

describe("ProcessProbe: the process's own figures", () => {
  test("resident memory agrees with the kernel's VmRSS (within 16 MB: both move while reading)", () => {
    const p = new ProcessProbe().read();
    expect(Math.abs(p.rssBytes - vmRssBytes())).toBeLessThan(16 * 1048576);
    expect(p.heapTotalBytes).toBeGreaterThan(0);
  });

  test("an opened file counts as one more open descriptor, and closing it gives it back", () => {
    const probe = new ProcessProbe();
    const before = probe.read().openFds!;
    const fd = openSync(new URL(import.meta.url).pathname, "r");
    try {
      expect(probe.read().openFds).toBe(before + 1);
    } finally {
      closeSync(fd);
    }
    expect(probe.read().openFds).toBe(before);
    expect(probe.read().maxFds).toBeGreaterThan(before);
  });

  test("CPU seconds agree with the kernel's count (/proc/self/stat); the start time lies in the past", () => {
    // utime + stime in clock ticks (100 a second on Linux): spin until the kernel counted 0.2 s of CPU, however
    // busy the machine is (a spin timed by the wall clock gets less CPU when the cores are shared)
    const kernelS = () => {
      const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
      return (Number(fields[11]) + Number(fields[12])) / 100; // fields 14 and 15 of stat(5), after pid and comm
    };
    const probe = new ProcessProbe();
    const a = probe.read(), k0 = kernelS();
    while (kernelS() - k0 < 0.2) { /* spin */ }
    const b = probe.read(), k1 = kernelS();
    expect(b.cpuSeconds - a.cpuSeconds).toBeGreaterThanOrEqual(k1 - k0 - 0.03); // a tick's rounding at each end
    expect(b.cpuSeconds - a.cpuSeconds).toBeLessThanOrEqual(k1 - k0 + 0.05);
    expect(a.startTimeS).toBeLessThanOrEqual(Date.now() / 1000);
    expect(a.startTimeS).toBeGreaterThan(Date.now() / 1000 - a.uptimeS - 5);
  });

  test("a loop blocked for 300 ms shows as ≥ 0.25 s of lag", async () => {
    const probe = new ProcessProbe(20).start();
    try {
      expect(probe.read().eventLoopLagS).toBeNull(); // no sample yet
      const until = async (ok: () => boolean) => {
        for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
      };
      await until(() => probe.read().eventLoopLagS !== null);
      const quiet = probe.read().eventLoopLagMaxS!;
      const t0 = performance.now();
      while (performance.now() - t0 < 300) { /* block the loop */ }
      await until(() => probe.read().eventLoopLagMaxS! >= 0.25);
      expect(quiet).toBeLessThan(0.25);
      expect(probe.read().eventLoopLagMaxS).toBeGreaterThanOrEqual(0.25);
    } finally {
      probe.stop();
    }
  });

  test("memory and uptime as a person reads them", () => {
    expect(megabytes(84 * 1048576 + 400_000)).toBe("84 MB");
    expect([duration(42.9), duration(125), duration(2 * 3600 + 5 * 60), duration(3 * 86400 + 4 * 3600 + 59)])
      .toEqual(["42 s", "2 min", "2 h 5 min", "3 d 4 h"]);
  });
});
