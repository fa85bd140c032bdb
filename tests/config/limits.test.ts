/** Bad input refused cleanly (issue 24): huge or deep files unread, numbers not in decimal, numbers too small to use. */
import { describe, expect, test } from "bun:test";
import { configProblems } from "../fixtures.ts";
import { readFileSync } from "node:fs";
import { buildConfig, withValue } from "../../lib/config/validate.ts";

const problems = configProblems;

describe("a config file too large or too deep is refused before it is parsed", () => {
  test("20,000 keys (the issue's 3.3 s parse) is refused unread, in a few milliseconds of work", () => {
    const text = Array.from({ length: 20_000 }, (_, i) => `k${i}: ${i}`).join("\n");
    const p = problems(text);
    expect(p).toEqual(["test.yml: 20000 lines is too large for a configuration (at most 4000); refused unread"]);
  });

  test("more than 256 KiB on few lines is refused unread", () => {
    expect(problems(`strategy: {${"a: 1, ".repeat(50_000)}}`)[0]).toMatch(
      /^test\.yml: \d+ characters is too large for a configuration \(at most 262144\); refused unread$/,
    );
  });

  test("25,000 keys as one flow mapping, under the size and line limits, are refused unread (they took 12 s)", () => {
    const text = `{${Array.from({ length: 25_000 }, (_, i) => `${i}: 1`).join(",")}}`;
    expect(text.length).toBeLessThan(256 * 1024);
    expect(problems(text)).toEqual([
      "test.yml: 25000 colons (one a key) is more keys than a configuration has (at most 2000); refused unread",
    ]);
    // JSON is YAML: its keys are counted the same way
    expect(problems(JSON.stringify(Object.fromEntries(Array.from({ length: 2001 }, (_, i) => [`k${i}`, i]))))).toEqual([
      "test.yml: 2001 colons (one a key) is more keys than a configuration has (at most 2000); refused unread",
    ]);
  });

  test("nesting deeper than 16 levels (flow or block) is refused unread; comments' brackets do not count", () => {
    const deep = "[".repeat(5000) + "]".repeat(5000);
    expect(problems(`strategy: ${deep}`)).toEqual([
      "test.yml: nested deeper than a configuration can be (at most 16 levels); refused unread",
    ]);
    const block = Array.from({ length: 40 }, (_, i) => `${" ".repeat(i * 2)}k${i}:`).join("\n") + " 1";
    expect(problems(block)[0]).toContain("nested deeper than a configuration can be");
    expect(problems(`# ${"[".repeat(40)}\nstrategy:\n  order_amount: 0.02 # [[[[[[[[[[[[[[[[[[[[\n`)).toEqual([]);
  });

  test("the shipped config.yml and the profiles pass the limits", () => {
    for (const f of ["config.yml", "profiles/natr_rsi.yml"]) {
      expect(problems(readFileSync(f, "utf8"))).toEqual([]);
    }
  });
});

describe("numbers are decimal", () => {
  test("0x10 in the config file is refused with its line, not read as 16; so is 0o20", () => {
    expect(problems("strategy:\n  levels: 0x10\n")).toEqual([
      "test.yml: line 2: 0x10 is not allowed; write numbers in decimal (16)",
    ]);
    expect(problems("http:\n  port: 0o20\npaper:\n  initial_base: 0x1\n")).toEqual([
      "test.yml: line 2: 0o20 is not allowed; write numbers in decimal (16)",
      "test.yml: line 4: 0x1 is not allowed; write numbers in decimal (1)",
    ]);
    // decimals in every spelling still work
    expect(problems("strategy:\n  order_amount: 1.5e-2\npaper:\n  initial_quote: +.5e3\n")).toEqual([]);
  });

  test("--set and /set refuse 0x10 and Infinity, saying why", () => {
    expect(problems("", "http.port=0x10")).toEqual([
      'http.port: "0x10" is not allowed; write numbers in decimal; must be an integer ≥ 0 and ≤ 65535 (from --set)',
    ]);
    expect(() => withValue(buildConfig({}), "strategy.order_amount", "0x10")).toThrow(
      'strategy.order_amount: "0x10" is not allowed; write numbers in decimal',
    );
    expect(() => withValue(buildConfig({}), "strategy.order_amount", "Infinity")).toThrow("is not allowed");
    expect(withValue(buildConfig({}), "strategy.order_amount", "2e-2").strategy.order_amount).toBe(0.02);
  });
});

describe("numbers too small to compute with", () => {
  test("order_amount 1e-320 (a subnormal: its notional underflows, its reciprocal is Infinity) is refused", () => {
    expect(1 / 1e-320).toBe(Infinity); // why: the arithmetic itself breaks down
    const why =
      "strategy.order_amount: 1e-320 is not allowed; too small to compute with (far enough below 1e-12 a notional underflows to 0 and a reciprocal to Infinity): must be 0 or at least 1e-12, and a number > 0 and ≤ 1e9";
    expect(problems("strategy:\n  order_amount: 1e-320\n")).toEqual([why]);
    expect(problems("", "strategy.order_amount=1e-320")).toEqual([why]);
    expect(() => withValue(buildConfig({}), "strategy.order_amount", "1e-320")).toThrow(why);
    expect(problems("", "strategy.order_amount=1e-12")).toEqual([]);
  });
});
