import { describe, expect, test } from "bun:test";
import { memoryPauses, pauseDetail, PauseStore } from "../../lib/engine/pause.ts";
import { Ledger } from "../../lib/storage/ledger.ts";
import { ledgerPauses } from "../../lib/storage/pauses.ts";
import type { PauseSource } from "../../lib/core/events.ts";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

describe("pauseDetail: one sentence per source", () => {
  test.each(
    [
      ["cli", undefined, "paused from the command line"],
      ["telegram", undefined, "paused from telegram"],
      ["http", undefined, "paused from http"],
      ["kill_switch", "drawdown 10.00 %", "paused by the kill switch: drawdown 10.00 %"],
      ["error_breaker", "3 failed ticks", "paused by the error breaker: 3 failed ticks"],
    ] as const,
  )("%s", (source: PauseSource, detail: string | undefined, text: string) => {
    expect(pauseDetail(source, detail)).toBe(text);
  });
});

describe("PauseStore", () => {
  test("a pause takes effect in memory even when the write fails, and is written once the backend takes it", () => {
    const backend = memoryPauses();
    const write = backend.write;
    backend.write = () => {
      throw new Error("disk I/O error");
    };
    const store = new PauseStore(backend);
    store.pause("telegram");
    expect([store.paused, store.detail, store.writeError]).toEqual([true, "paused from telegram", "disk I/O error"]);
    expect(backend.read().paused).toBe(false);
    // our own unwritten pause must not read as a resume made elsewhere
    expect(store.changedElsewhere()).toBeNull();
    expect(store.paused).toBe(true);
    backend.write = write;
    expect(store.changedElsewhere()).toBeNull(); // written now, and nothing changed elsewhere
    expect(backend.read()).toEqual({ paused: true, detail: "paused from telegram", killSwitch: false });
    expect(store.writeError).toBeNull();
  });

  test("resume is written first: a backend that refuses it leaves the store paused", () => {
    const backend = memoryPauses(true);
    const store = new PauseStore(backend);
    backend.write = () => {
      throw new Error("read-only");
    };
    expect(() => store.resume(100)).toThrow("read-only");
    expect(store.paused).toBe(true);
  });

  test("after a tripped kill switch, resume measures the drawdown afresh from the equity now", () => {
    const backend = memoryPauses(true, true);
    backend.peakEquity = 1000;
    const store = new PauseStore(backend);
    store.resume(800);
    expect([store.paused, store.killSwitch, store.peakEquity, backend.peakEquity]).toEqual([false, false, 800, 800]);
  });

  test("a new peak is written; a lower equity is not", () => {
    const backend = memoryPauses();
    const store = new PauseStore(backend);
    store.startPeak(500, 400);
    expect([store.peakEquity, backend.peakEquity]).toEqual([500, null]); // the start is in memory only
    store.notePeak(450);
    expect(backend.peakEquity).toBeNull();
    store.notePeak(510);
    expect([store.peakEquity, backend.peakEquity]).toEqual([510, 510]);
  });

  test("a resume that fails half-way in the ledger leaves it paused there, so it is not carried out later", () => {
    const path = join(mkdtempSync(join(tmpdir(), "mmbot-pause-")), "ledger.sqlite");
    const ledger = Ledger.open(path);
    try {
      ledger.paused = true;
      ledger.killSwitch = true;
      const store = new PauseStore(ledgerPauses(ledger, 1));
      const setState = ledger.setState.bind(ledger);
      ledger.setState = (key: string, value: string) => {
        if (key === "kill_switch") throw new Error("disk full");
        setState(key, value);
      };
      expect(() => store.resume(100)).toThrow("disk full");
      expect([store.paused, ledger.paused]).toEqual([true, true]);
      ledger.setState = setState;
      expect(store.changedElsewhere()).toBeNull(); // no resume the operator was told had failed
    } finally {
      ledger.close();
    }
  });

  test("a pause and a resume written by another process on the same ledger are noticed once each", () => {
    const path = join(mkdtempSync(join(tmpdir(), "mmbot-pause-")), "ledger.sqlite");
    const ours = Ledger.open(path), theirs = Ledger.open(path);
    try {
      const store = new PauseStore(ledgerPauses(ours, 1));
      expect(store.changedElsewhere()).toBeNull();
      // what `mmbot pause` writes
      theirs.paused = true;
      theirs.pauseDetail = pauseDetail("cli");
      expect(store.changedElsewhere()).toBe("paused");
      expect([store.paused, store.detail]).toEqual([true, "paused from the command line"]);
      expect(store.changedElsewhere()).toBeNull();
      // our own pause is not a change made elsewhere
      store.pause("http");
      expect(store.changedElsewhere()).toBeNull();
      theirs.paused = false; // `mmbot resume`
      expect(store.changedElsewhere()).toBe("resumed");
    } finally {
      ours.close();
      theirs.close();
    }
  });
});
