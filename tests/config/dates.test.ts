import { describe, expect, test } from "bun:test";
import { parseUtcDate, rangeProblem } from "../../lib/config/dates.ts";

const NOW = Date.UTC(2026, 11, 4, 17, 20, 30); // 2026-12-04 17:20:30 UTC

describe("--from / --to", () => {
  test.each([
    ["2025-01-01", Date.UTC(2025, 0, 1)],
    ["2025-01-01T06:30", Date.UTC(2025, 0, 1, 6, 30)],
    ["2025-01-01 06:30:59", Date.UTC(2025, 0, 1, 6, 30)], // floored to its minute
    ["2025-01-01T06:30Z", Date.UTC(2025, 0, 1, 6, 30)],
    ["2025-01-01T08:30+02:00", Date.UTC(2025, 0, 1, 6, 30)],
    ["2025-13-01", null],
    ["yesterday", null],
    ["1735689600000", null],
  ])("%s → %p", (text: string, ms: number | null) => {
    expect(parseUtcDate(text)).toBe(ms);
  });

  test("to defaults to the current minute; the range is [from, to)", () => {
    expect(rangeProblem("2026-12-01", undefined, NOW)).toEqual({
      fromTs: Date.UTC(2026, 11, 1),
      toTs: Date.UTC(2026, 11, 4, 17, 20),
    });
  });

  test.each([
    [undefined, undefined, "--from DATE is required"],
    ["2026-12-05", undefined, "--from 2026-12-05: is in the future (now is 2026-12-04 17:20 UTC)"],
    [
      "2026-12-01",
      "2026-12-05",
      "--to 2026-12-05: is in the future (now is 2026-12-04 17:20 UTC); leave it out for now",
    ],
    ["2026-12-02", "2026-12-01", "--from 2026-12-02 is not before --to 2026-12-01; --to is exclusive"],
    ["2026-12-01", "2026-12-01", "--from 2026-12-01 is not before --to 2026-12-01; --to is exclusive"],
    ["2026-12-01", "soon", '--to "soon": not a date'],
  ])("from %p to %p is refused", (from: string | undefined, to: string | undefined, problem: string) => {
    const r = rangeProblem(from, to, NOW);
    expect("problem" in r && r.problem).toStartWith(problem);
  });
});
