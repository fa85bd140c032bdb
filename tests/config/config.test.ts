import { describe, expect, test } from "bun:test";
import { configProblems } from "../fixtures.ts";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { buildConfig, checkValue, ConfigError, defaults, getPath, withValue } from "../../lib/config/validate.ts";
import { loadSecrets } from "../../lib/config/secrets.ts";
import { schemaFields } from "../../lib/config/schema.ts";
import { loadConfig, parseCli, USAGE } from "../../lib/config/cli.ts";

const problems = configProblems;

describe("config values", () => {
  test.each([
    [
      "negative amount",
      "strategy:\n  order_amount: -1",
      "strategy.order_amount: -1 is not allowed; must be a number > 0 and ≤ 1e9",
    ],
    [
      "zero amount",
      "strategy:\n  order_amount: 0",
      "strategy.order_amount: 0 is not allowed; must be a number > 0 and ≤ 1e9",
    ],
    [
      "text for a number",
      "strategy:\n  order_amount: lots",
      'strategy.order_amount: "lots" is not allowed; must be a number > 0 and ≤ 1e9',
    ],
    [
      "integer expected",
      "strategy:\n  natr_period: 14.5",
      "strategy.natr_period: 14.5 is not allowed; must be an integer ≥ 2 and ≤ 1000",
    ],
    ["above max", "http:\n  port: 70000", "http.port: 70000 is not allowed; must be an integer ≥ 0 and ≤ 65535"],
    [
      "min spread zero",
      "strategy:\n  min_spread_bps: 0",
      "strategy.min_spread_bps: 0 is not allowed; must be a number > 0 and ≤ 10000",
    ],
    [
      "target ratio 1",
      "strategy:\n  target_base_ratio: 1",
      "strategy.target_base_ratio: 1 is not allowed; must be a number > 0 and < 1",
    ],
    [
      "bad enum",
      "strategy:\n  profile: grid",
      'strategy.profile: "grid" is not allowed; must be one of natr_macd, natr_rsi, fixed, as',
    ],
    ["bad mode", "mode: yolo", 'mode: "yolo" is not allowed; must be one of paper, live'],
    ["bad boolean", "market:\n  sandbox: maybe", 'market.sandbox: "maybe" is not allowed; must be true or false'],
    ["number for a string", "market:\n  symbol: 5", "market.symbol: 5 is not allowed; must be a string"],
    ["scalar for a section", "strategy: 5", "strategy: 5 is not allowed; must be a section with keys"],
    [
      "trend scalar range",
      "strategy:\n  trend_scalar: -2",
      "strategy.trend_scalar: -2 is not allowed; must be a number ≥ -1 and ≤ 1",
    ],
  ])("%s", (_name: string, yamlText: string, message: string) => {
    expect(problems(yamlText)).toEqual([message]);
  });

  test("unknown keys are rejected with what is allowed there", () => {
    const [p] = problems("strategy:\n  order_amout: 0.02");
    expect(p).toStartWith("strategy.order_amout: unknown key; allowed in strategy: profile, refresh_s, order_amount,");
    expect(problems("colour: blue")[0]).toStartWith("colour: unknown key; allowed: mode, market, strategy,");
  });

  test("secrets in the file point to the environment variable", () => {
    expect(problems("telegram:\n  token: 123:abc")).toEqual([
      "telegram.token: secrets are not read from the config; set the environment variable TELEGRAM_BOT_TOKEN",
    ]);
    // the value itself never appears in the message
    expect(problems("market:\n  api_secret: hunter2").join()).not.toContain("hunter2");
  });

  test("every problem is reported at once", () => {
    const all = problems("strategy:\n  order_amount: -1\n  natr_period: 1\nhttp:\n  port: -5\nextra: 1");
    expect(all).toHaveLength(4);
    expect(all.map((p) => p.split(":")[0]).sort()).toEqual([
      "extra",
      "http.port",
      "strategy.natr_period",
      "strategy.order_amount",
    ]);
  });

  test("cross-field rules", () => {
    expect(problems("strategy:\n  macd_fast: 26\n  macd_slow: 12")).toEqual([
      "strategy.macd_fast: 26 is not allowed; must be less than strategy.macd_slow (12)",
    ]);
    expect(problems("mode: live")).toEqual(['feed.source: "replay" is not allowed with mode "live"; must be live']);
  });

  test("YAML syntax errors and duplicate keys name the file", () => {
    expect(problems("strategy:\n  order_amount: [1,")[0]).toStartWith("test.yml: YAML error:");
    expect(problems("mode: paper\nmode: live")[0]).toStartWith("test.yml: YAML error:");
  });

  test("an empty file means all defaults", () => {
    expect(buildConfig({ yamlText: "" })).toEqual(defaults());
  });
});

describe("--set", () => {
  test("values are typed by the schema", () => {
    const c = buildConfig({ sets: ["http.port=18080", "feed.speed=60", "market.sandbox=false", "market.symbol=123"] });
    expect(c.http.port).toBe(18080);
    expect(c.feed.speed).toBe(60);
    expect(c.market.sandbox).toBe(false);
    expect(c.market.symbol).toBe("123"); // a string key keeps its text
  });

  test("--set wins over the file", () => {
    expect(buildConfig({ yamlText: "feed:\n  speed: 5", sets: ["feed.speed=7"] }).feed.speed).toBe(7);
  });

  test.each([
    ["strategy.order_amount=-1", "strategy.order_amount: -1 is not allowed; must be a number > 0 and ≤ 1e9"],
    [
      "strategy.order_amount=abc",
      'strategy.order_amount: "abc" is not allowed; must be a number > 0 and ≤ 1e9 (from --set)',
    ],
    ["strategy.order_amount=", 'strategy.order_amount: "" is not allowed; must be a number > 0 and ≤ 1e9 (from --set)'],
    ["market.sandbox=yes", 'market.sandbox: "yes" is not allowed; must be true or false (from --set)'],
    [
      "nope.key=1",
      "nope.key: unknown key; allowed: mode, market, strategy, risk, feed, paper, http, telegram, storage (from --set)",
    ],
    ["order_amount", '--set "order_amount": must look like key.path=value'],
  ])("%s", (assignment: string, message: string) => {
    expect(problems("", assignment)).toEqual([message]);
  });

  test("withValue validates a runtime change and leaves the original untouched", () => {
    const c = defaults();
    expect(withValue(c, "strategy.order_amount", "0.02").strategy.order_amount).toBe(0.02);
    expect(c.strategy.order_amount).toBe(0.01);
    expect(() => withValue(c, "strategy.order_amount", "-3")).toThrow("must be a number > 0 and ≤ 1e9");
    expect(() => withValue(c, "strategy.macd_fast", "40")).toThrow("less than strategy.macd_slow");
  });
});

describe("command line", () => {
  test("parses run and backtest", () => {
    expect(parseCli([])).toMatchObject({ command: "run", configPath: "config.yml", sets: [], reset: false });
    expect(parseCli(["backtest", "--data", "x.csv", "--set", "a=1", "--set", "b=2", "--json", "o.json"]))
      .toMatchObject({ command: "backtest", data: ["x.csv"], json: "o.json", sets: ["a=1", "b=2"] });
    expect(parseCli(["backtest", "--data", "a.zip", "--data", "b.csv.gz"])).toMatchObject({
      data: ["a.zip", "b.csv.gz"],
    });
    expect(parseCli(["backtest", "--symbol", "SOL/USDT", "--from", "2025-01-01", "--offline"]))
      .toMatchObject({ data: [], symbol: "SOL/USDT", from: "2025-01-01", to: undefined, offline: true });
  });

  test.each([
    [["--bogus"], "command line: Unknown option '--bogus'"],
    [["trade"], 'command line: unknown command "trade"; allowed: run, backtest, optimize, download, pause, resume'],
    [
      ["toString"],
      'command line: unknown command "toString"; allowed: run, backtest, optimize, download, pause, resume',
    ],
    [["backtest"], "command line: backtest needs --data FILE, or --from DATE [--to DATE] [--symbol SYMBOL]"],
    [
      ["--data", "x.csv"],
      "command line: --data, --json, --funding, --mirror, --symbol, --from, --to and --offline belong to the",
    ],
    [["backtest", "--data", "x.csv", "--from", "2025-01-01"], "command line: give --data FILE or --symbol/--from/--to"],
    [["backtest", "--symbol", "SOL/USDT"], "command line: --symbol, --to and --offline need --from DATE"],
    [
      ["--mirror"],
      "command line: --data, --json, --funding, --mirror, --symbol, --from, --to and --offline belong to the",
    ],
  ])("%p is refused", (argv: string[], message: string) => {
    expect(() => parseCli(argv)).toThrow(message);
  });

  test("--help lists every command, each with a line of its own", () => {
    for (const name of ["run", "backtest", "optimize", "download", "pause", "resume"]) {
      expect(USAGE).toMatch(new RegExp(`\\n  ${name} +\\S`));
    }
  });

  test("a missing config file is named", () => {
    expect(() => loadConfig("does/not/exist.yml", [])).toThrow(
      "--config does/not/exist.yml: cannot read the configuration: file not found",
    );
  });
});

describe("shipped configuration", () => {
  const text = readFileSync("config.yml", "utf8");

  test("config.yml loads and equals the schema defaults", () => {
    expect(loadConfig("config.yml", [])).toEqual(defaults());
  });

  test("config.yml names every key with a comment above it stating its default, and the default stated is the schema's", () => {
    const lines = text.split("\n");
    // each key's line, by its full path (feed.path and storage.path are both `path:`)
    const lineOf = new Map<string, number>();
    const stack: string[] = [];
    lines.forEach((l, i) => {
      const m = /^( *)([a-z0-9_]+):/.exec(l);
      if (!m) return;
      stack.length = m[1].length / 2;
      stack.push(m[2]);
      lineOf.set(stack.join("."), i);
    });
    for (const [path, field] of schemaFields()) {
      const i = lineOf.get(path);
      expect(i, `${path} is missing from config.yml`).toBeGreaterThan(0);
      // the nearest comment above the key states the default: "Default: 15", or "Defaults: 12 / 26 / 9" for a group
      let j = i! - 1;
      while (j > 0 && !lines[j].trim().startsWith("#")) j--;
      const stated = /Defaults?: (.+?)\s*$/.exec(lines[j])?.[1];
      expect(stated, `${path}: comment lacks its default`).toBeDefined();
      const want = field.default === "" ? '""' : String(field.default);
      if (stated!.includes(" / ")) expect(stated!.split(" / "), path).toContain(want);
      else expect(stated, path).toBe(want);
      expect(field.doc.length).toBeGreaterThan(10);
    }
  });

  test("profiles load with the values the seeds ask for", () => {
    const rsi = loadConfig("profiles/natr_rsi.yml", []);
    expect(rsi.strategy).toMatchObject({
      profile: "natr_rsi",
      natr_period: 30,
      // chosen by optimize (README → Optimize)
      rsi_period: 42,
      bid_spread_multiplier: 202,
      ask_spread_multiplier: 201,
      trend_scalar: 0.001,
      // the fast-move guard of search (9b) (README → Optimize)
      move_guard_natr: 1.8,
      move_guard_min: 9,
      move_guard_widen: 2.34,
      // the unwind of a losing position of search (10) (README → Optimize)
      unwind_natr: 1.47258,
      unwind_offset_natr: 1.80405,
      refresh_s: 15,
      order_value_quote: 25, // sized in quote: 0.01 ETH falls below Binance's 20 USDT minimum under 2000
      target_base_ratio: 0.5,
    });
    expect(rsi.market).toMatchObject({
      type: "perp",
      exchange: "binanceusdm",
      symbol: "ETH/USDT:USDT",
      leverage: 1,
      margin_mode: "cross",
    });
    const macd = loadConfig("config.yml", []);
    expect(macd.strategy.profile).toBe("natr_macd");
    expect(macd.market).toMatchObject({ type: "spot", symbol: "ETH/USDT" });
    const as = loadConfig("profiles/as.yml", []);
    expect(as.strategy).toMatchObject({ profile: "as", as_gamma: 4.74274, as_kappa: 567.969, order_value_quote: 25 });
    expect(as.market).toMatchObject({ type: "perp", maker_fee_bps: 2 });
    const fixed = loadConfig("profiles/fixed.yml", []);
    expect(fixed.strategy).toMatchObject({
      profile: "fixed",
      fixed_bid_spread_bps: 16.4839,
      fixed_ask_spread_bps: 40.0675,
    });
  });

  test("one order size: order_amount (base) or order_value_quote (quote), not both from the same or a later layer", () => {
    const both = "strategy.order_amount: 0.02 is not allowed together with strategy.order_value_quote (25)";
    expect(() => loadConfig("config.yml", ["strategy.order_value_quote=25", "strategy.order_amount=0.02"])).toThrow(
      both,
    );
    expect(() => loadConfig("profiles/natr_rsi.yml", ["strategy.order_amount=0.02"])).toThrow(both);
    // config.yml states order_amount with its default; a size in quote given later replaces it
    expect(loadConfig("config.yml", ["strategy.order_value_quote=25"]).strategy.order_value_quote).toBe(25);
    // and back to a size in base
    expect(loadConfig("profiles/natr_rsi.yml", ["strategy.order_value_quote=0", "strategy.order_amount=0.02"]).strategy)
      .toMatchObject({ order_value_quote: 0, order_amount: 0.02 });
    const c = loadConfig("config.yml", ["strategy.order_value_quote=25"]);
    expect(() => withValue(c, "strategy.order_amount", "0.02")).toThrow(both);
    expect(() => loadConfig("config.yml", ["market.leverage=200"])).toThrow(
      "market.leverage: 200 is not allowed; must be an integer ≥ 1 and ≤ 125",
    );
    expect(() => loadConfig("config.yml", ["market.margin_mode=portfolio"])).toThrow(
      'market.margin_mode: "portfolio" is not allowed; must be one of cross, isolated',
    );
  });

  test("the keys other tools rely on: the defaults README.md states, and --set reaches the field the bot reads", () => {
    // README.md: order_amount 0.01, wall-clock pace, 127.0.0.1:8080, api.telegram.org, data/mmbot.sqlite
    const c = defaults();
    expect([c.strategy.order_amount, c.feed.speed, c.http.port, c.telegram.api_root, c.storage.path]).toEqual([
      0.01,
      1,
      8080,
      "https://api.telegram.org",
      "data/mmbot.sqlite",
    ]);
    // the values the tests and scripts pass with --set, each different from its default, arrive typed where mod.ts
    // and the engine read them (a key mapped to another field, or a number kept as text, shows here)
    const set: [string, string, unknown][] = [
      ["strategy.order_amount", "0.02", 0.02],
      ["feed.speed", "3000", 3000],
      ["http.port", "0", 0],
      ["telegram.api_root", "http://127.0.0.1:9", "http://127.0.0.1:9"],
      ["storage.path", "/tmp/x.sqlite", "/tmp/x.sqlite"],
    ];
    const s = buildConfig({ sets: set.map(([key, text]) => `${key}=${text}`) });
    expect([s.strategy.order_amount, s.feed.speed, s.http.port, s.telegram.api_root, s.storage.path]).toEqual(
      set.map(([, , value]) => value),
    );
    for (const [key, , value] of set) expect(getPath(s, key), key).toBe(value);
    // nothing else moved
    expect({ ...s, strategy: c.strategy, feed: c.feed, http: c.http, telegram: c.telegram, storage: c.storage })
      .toEqual(c);
    expect({ ...s.strategy, order_amount: 0.01 }).toEqual(c.strategy);
    expect({ ...s.feed, speed: 1 }).toEqual(c.feed);
    expect({ ...s.http, port: 8080 }).toEqual(c.http);
    expect({ ...s.telegram, api_root: "https://api.telegram.org" }).toEqual(c.telegram);
  });
});

describe("secrets", () => {
  // how they are shown (never a value): secretsLine, tests/app/console.test.ts
  test("come from the environment", () => {
    const s = loadSecrets({
      TELEGRAM_BOT_TOKEN: "123:secret-token",
      TELEGRAM_ALLOWED_USERS: "42, 7",
      EXCHANGE_API_KEY: "k-123",
      EXCHANGE_API_SECRET: "s-456",
    });
    expect(s.telegramAllowedUsers).toEqual([42, 7]);
  });

  test("allowed users must be numeric ids", () => {
    expect(() => loadSecrets({ TELEGRAM_ALLOWED_USERS: "42,@alice" })).toThrow(
      'TELEGRAM_ALLOWED_USERS: "@alice" is not allowed; must be numeric Telegram user ids',
    );
  });
});

describe("mod.ts", () => {
  test("deno run -P mod.ts --set strategy.order_amount=-1 exits non-zero naming the key", () => {
    const r = spawnSync("deno", ["run", "-P", "mod.ts", "--set", "strategy.order_amount=-1"], {
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("strategy.order_amount: -1 is not allowed; must be a number > 0 and ≤ 1e9");
    expect(r.stdout).toBe(""); // nothing started
  });
});

describe("bad input (issue 12)", () => {
  /** "Billion laughs": nine levels of nine aliases each, 9^9 ≈ 387 million strings once expanded. */
  const BOMB = [
    'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
    "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]",
    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]",
    "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]",
    "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]",
    "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]",
    "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]",
    "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]",
    "i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]",
    "",
  ].join("\n");
  const BOMB_PROBLEM = "YAML error: excessive alias count; aliases may not expand the document";

  const bombFile = () => {
    const path = join(mkdtempSync(join(tmpdir(), "mmbot-bomb-")), "bomb.yml");
    writeFileSync(path, BOMB);
    return path;
  };

  test("a YAML alias bomb is a ConfigError naming the file, not a crash", () => {
    expect(problems(BOMB)).toEqual([`test.yml: ${BOMB_PROBLEM}`]);
    // a bomb hidden inside a real section is caught the same way
    const nested = `strategy:\n  order_amount: 0.02\n${BOMB.replace(/^/gm, "  ").trimEnd()}\n`;
    expect(problems(nested)).toEqual([`test.yml: ${BOMB_PROBLEM}`]);
  });

  test("the CLI path (loadConfig) names the config file", () => {
    const path = bombFile();
    let error: unknown;
    try {
      loadConfig(path, []);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([`${path}: ${BOMB_PROBLEM}`]);
  });

  test("ordinary anchors and aliases still work", () => {
    const c = buildConfig({
      yamlText: "strategy:\n  bid_spread_multiplier: &m 90\n  ask_spread_multiplier: *m\n",
      source: "test.yml",
    });
    expect(c.strategy.bid_spread_multiplier).toBe(90);
    expect(c.strategy.ask_spread_multiplier).toBe(90);
  });

  test('buildConfig({ sets: ["market.tick_size=1e-320"] }) is refused with the bounds', () => {
    let error: unknown;
    try {
      buildConfig({ sets: ["market.tick_size=1e-320"] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      "market.tick_size: 1e-320 is not allowed; must be a number ≥ 1e-12 and ≤ 1e6",
    ]);
  });

  test.each([
    ["market.tick_size=1e-13", "market.tick_size: 1e-13 is not allowed; must be a number ≥ 1e-12 and ≤ 1e6"],
    ["market.tick_size=2e6", "market.tick_size: 2000000 is not allowed; must be a number ≥ 1e-12 and ≤ 1e6"],
    ["market.lot_size=1e-320", "market.lot_size: 1e-320 is not allowed; must be a number ≥ 1e-12 and ≤ 1e6"],
    ["strategy.order_amount=1e308", "strategy.order_amount: 1e+308 is not allowed; must be a number > 0 and ≤ 1e9"],
    ["market.lot_size=0", "market.lot_size: 0 is not allowed; must be a number ≥ 1e-12 and ≤ 1e6"],
    [
      "market.min_notional=1e10",
      "market.min_notional: 10000000000 is not allowed; must be a number ≥ 0 and ≤ 1e9",
    ],
    [
      "strategy.bid_spread_multiplier=1e300",
      "strategy.bid_spread_multiplier: 1e+300 is not allowed; must be a number > 0 and ≤ 1e6",
    ],
    [
      "strategy.ask_spread_multiplier=2e6",
      "strategy.ask_spread_multiplier: 2000000 is not allowed; must be a number > 0 and ≤ 1e6",
    ],
    [
      "strategy.fixed_bid_spread_bps=10001",
      "strategy.fixed_bid_spread_bps: 10001 is not allowed; must be a number > 0 and ≤ 10000",
    ],
    [
      "strategy.fixed_ask_spread_bps=1e9",
      "strategy.fixed_ask_spread_bps: 1000000000 is not allowed; must be a number > 0 and ≤ 10000",
    ],
    [
      "strategy.max_position_notional=1e13",
      "strategy.max_position_notional: 10000000000000 is not allowed; must be a number > 0 and ≤ 1e12",
    ],
    [
      "paper.initial_base=1e16",
      "paper.initial_base: 10000000000000000 is not allowed; must be a number ≥ 0 and ≤ 1e15",
    ],
    [
      "paper.initial_quote=1e300",
      "paper.initial_quote: 1e+300 is not allowed; must be a number ≥ 0 and ≤ 1e15",
    ],
    // parses as Infinity: refused like any other value out of bounds
    ["paper.initial_quote=1e999", "paper.initial_quote: Infinity is not allowed; must be a number ≥ 0 and ≤ 1e15"],
  ])("--set %s is refused", (assignment: string, message: string) => {
    expect(problems("", assignment)).toEqual([message]);
  });

  test("the same bounds apply in the config file", () => {
    expect(problems("market:\n  tick_size: 1.0e-320\n")).toEqual([
      "market.tick_size: 1e-320 is not allowed; must be a number ≥ 1e-12 and ≤ 1e6",
    ]);
    expect(problems("paper:\n  initial_quote: .inf\n")).toEqual([
      "paper.initial_quote: Infinity is not allowed; must be a number ≥ 0 and ≤ 1e15",
    ]);
  });

  test("the bounds themselves are accepted", () => {
    const c = buildConfig({
      sets: [
        "market.tick_size=1e-12",
        "market.lot_size=1e6",
        "market.min_notional=1e9",
        "strategy.bid_spread_multiplier=1e6",
        "strategy.fixed_ask_spread_bps=10000",
        "strategy.max_position_notional=1e12",
        "paper.initial_base=1e15",
        "paper.initial_quote=0",
      ],
    });
    expect(c.market).toMatchObject({ tick_size: 1e-12, lot_size: 1e6, min_notional: 1e9 });
    expect(c.paper).toMatchObject({ initial_base: 1e15, initial_quote: 0 });
  });

  test("every price, amount and step key has finite bounds, and every default is within them", () => {
    const fields = new Map(schemaFields());
    for (
      const key of [
        "market.tick_size",
        "market.lot_size",
        "market.min_notional",
        "strategy.bid_spread_multiplier",
        "strategy.ask_spread_multiplier",
        "strategy.fixed_bid_spread_bps",
        "strategy.fixed_ask_spread_bps",
        "strategy.max_position_notional",
        "strategy.min_spread_bps",
        "strategy.refresh_tolerance_bps",
        "paper.initial_base",
        "paper.initial_quote",
      ]
    ) {
      const field = fields.get(key)!;
      expect(field.kind, key).toBe("number");
      if (field.kind !== "number") continue;
      expect(Number.isFinite(field.max ?? field.below), `${key} has no upper bound`).toBe(true);
      expect(Number.isFinite(field.min ?? field.above), `${key} has no lower bound`).toBe(true);
    }
    for (const [path, field] of fields) expect(checkValue(path, field, field.default), path).toBeNull();
  });

  test("deno run -P mod.ts --config <alias bomb> exits 2 with one line, no stack trace", () => {
    const path = bombFile();
    // -q: Deno's own notices (its -P notice, npm downloads into a cold cache) are not the bot's output
    const r = spawnSync("deno", ["run", "-q", "-P", "mod.ts", "--config", path], { encoding: "utf8", timeout: 60_000 });
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`mmbot: configuration rejected: ${path}: ${BOMB_PROBLEM}`);
    expect(r.stderr.trim().split("\n"), r.stderr).toHaveLength(1); // one line
    expect(r.stderr).not.toMatch(/^\s+at /m); // no stack frames
    expect(r.stderr).not.toContain("ReferenceError");
    expect(r.stdout).toBe(""); // nothing started
  });
});
