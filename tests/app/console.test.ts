/**
 * A quiet, readable console (issue 16): numbers on the market's grid, secrets as words, no warning a
 * user did not cause, and `deno run mod.ts` without -P stopping with one line instead of a stack trace.
 */
import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, normalize } from "node:path";
import { balancesText, muteDependencyDeprecations, secretsLine } from "../../lib/app/console.ts";
import { decimalsOf, onLot, onTick } from "../../lib/core/format.ts";

const grid = { tickSize: 0.01, lotSize: 0.0001 };

describe("console figures", () => {
  test("prices and balances on the tick, sizes on the lot: the float dust of the issue's stop line is gone", () => {
    expect([decimalsOf(0.01), decimalsOf(0.0001), decimalsOf(1), decimalsOf(5e-7), decimalsOf(0.5)]).toEqual([
      2,
      4,
      0,
      7,
      1,
    ]);
    expect(balancesText(0.40639999999999943, 4718.179376506004, "ETH/USDT", grid)).toBe(
      "balances 0.4064 ETH, 4718.18 USDT",
    );
    expect(onTick(2997.1300000000001, grid.tickSize)).toBe("2997.13");
    expect(onLot(0.009999999999999, grid.lotSize)).toBe("0.01");
    expect(onLot(1, grid.lotSize)).toBe("1");
    expect(onLot(1e-7, 1e-8)).toBe("0.0000001");
    expect(onTick(0.123456, 1e-5)).toBe("0.12346");
  });

  test("secrets are one readable line, never a value but the allowed user ids", () => {
    expect(secretsLine({ telegramBotToken: "123:abc", telegramAllowedUsers: [4242, 7], httpToken: "t0ken" })).toBe(
      "secrets from the environment: TELEGRAM_BOT_TOKEN set, TELEGRAM_ALLOWED_USERS 4242,7, EXCHANGE_API_KEY not set, EXCHANGE_API_SECRET not set, HTTP_TOKEN set",
    );
  });

  test("only the punycode deprecation of a dependency is muted; other warnings still print", () => {
    const seen: unknown[][] = [];
    const proc = { emitWarning: (...a: unknown[]) => void seen.push(a) };
    muteDependencyDeprecations(proc as never);
    proc.emitWarning("The `punycode` module is deprecated.", "DeprecationWarning", "DEP0040");
    proc.emitWarning("The `punycode` module is deprecated.", { type: "DeprecationWarning", code: "DEP0040" });
    proc.emitWarning("Buffer() is deprecated", "DeprecationWarning", "DEP0005");
    proc.emitWarning("something else");
    expect(seen.map((a) => a[0])).toEqual(["Buffer() is deprecated", "something else"]);
  });
});

/** Static imports of a file (not `import()`, not `import type`), resolved; bare specifiers kept as they are. */
function staticImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/^(?:import|export)\s+(?!type\b)(?:[^"';]*?\sfrom\s*)?["']([^"']+)["']/gm)]
    .map((m) => m[1])
    .map((s) => (s.startsWith(".") ? normalize(join(dirname(file), s)) : s));
}

describe("lazy loading", () => {
  test("mod.ts's static import graph holds neither ccxt nor grammY: they load where they are used", () => {
    const seen = new Set<string>(), bare = new Set<string>();
    const walk = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const s of staticImports(file)) {
        if (s.endsWith(".ts")) walk(s);
        else if (!s.endsWith(".json")) bare.add(s.split("/").slice(0, s.startsWith("@") ? 2 : 1).join("/"));
      }
    };
    walk("mod.ts");
    expect(seen.has("lib/app/open.ts")).toBe(true); // the walk follows the real graph
    expect(seen.has("lib/control/telegram.ts")).toBe(false);
    expect([...bare].filter((b) => /^(ccxt|grammy|@grammyjs)/.test(b))).toEqual([]);
  });
});

const deno = (args: string[], env: Record<string, string> = {}) =>
  spawnSync("deno", args, {
    encoding: "utf8",
    timeout: 60_000,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });

/** Deno's own line for `-P`: printed by Deno for every use of config permissions (see README → Console). */
const DENO_CONFIG_PERMISSIONS = /Permissions in the config file is an experimental feature/;
/**
 * Deno fetching and unpacking packages on a fresh cache (`Download https://registry.npmjs.org/…`,
 * `Initialize ccxt@4.5.84`): its own progress, once per machine, not a warning of the bot's.
 */
const DENO_FETCHING = /^(Download|Initialize) \S/;
const COLOURS = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");
const plain = (line: string) => line.replace(COLOURS, "").trim();
const noise = (stderr: string) =>
  stderr.split("\n").map(plain).filter((l) => l && !DENO_CONFIG_PERMISSIONS.test(l) && !DENO_FETCHING.test(l));

describe("the console of a first run", () => {
  test("`deno run mod.ts` without -P stops with one line saying what to type, before importing anything", () => {
    const r = deno(["run", "mod.ts", "--help"]);
    expect(r.status).toBe(2);
    const lines = noise(r.stderr);
    expect(lines.length).toBe(1);
    expect(lines[0]).toStartWith("mmbot needs permissions: run `deno run -P mod.ts …`");
    expect(lines[0]).toContain("missing: read");
    expect(r.stderr).not.toMatch(/NotCapable|\s+at /);
    expect(r.stdout).toBe("");
  }, 30_000);

  test("--help and a backtest print no warning: no punycode deprecation, no build-scripts box", () => {
    const help = deno(["run", "-P", "mod.ts", "--help"]);
    expect(help.status).toBe(0);
    expect(noise(help.stderr)).toEqual([]);

    const dir = mkdtempSync(join(tmpdir(), "mmbot-quiet-"));
    try {
      const csv = join(dir, "day.csv");
      writeFileSync(
        csv,
        readFileSync("data/binance_spot_ETHUSDT_1m_sample.csv", "utf8").split("\n").slice(0, 600).join("\n"),
      );
      const bt = deno(["run", "-P", "mod.ts", "backtest", "--data", csv]);
      expect(bt.status).toBe(0);
      expect(bt.stdout).toContain("final equity");
      expect(noise(bt.stderr)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
