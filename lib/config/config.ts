/**
 * Configuration: one schema, validated once at the edge with every problem collected.
 *
 * Layers, later wins: schema defaults → config file (YAML) → `--set key.path=value`.
 * Secrets never live here; they come from the environment (see `loadSecrets`).
 */
import YAML from "yaml";

type NumberField = {
  kind: "number" | "integer";
  default: number;
  doc: string;
  /** inclusive bounds */
  min?: number;
  max?: number;
  /** exclusive bounds */
  above?: number;
  below?: number;
};
type BooleanField = { kind: "boolean"; default: boolean; doc: string };
type StringField = { kind: "string"; default: string; doc: string };
type EnumField<V extends string = string> = {
  kind: "enum";
  default: V;
  values: readonly V[];
  doc: string;
};
type Field = NumberField | BooleanField | StringField | EnumField;

const num = (
  def: number,
  doc: string,
  bounds: Omit<NumberField, "kind" | "default" | "doc"> = {},
): NumberField => ({ kind: "number", default: def, doc, ...bounds });
const int = (
  def: number,
  doc: string,
  bounds: Omit<NumberField, "kind" | "default" | "doc"> = {},
): NumberField => ({ kind: "integer", default: def, doc, ...bounds });
const bool = (def: boolean, doc: string): BooleanField => ({ kind: "boolean", default: def, doc });
const str = (def: string, doc: string): StringField => ({ kind: "string", default: def, doc });
const oneOf = <const V extends string>(values: readonly V[], def: V, doc: string): EnumField<V> => ({
  kind: "enum",
  values,
  default: def,
  doc,
});

/** on: a normal message; silent: delivered without a notification sound; off: not sent */
export const ALERT_LEVELS = ["on", "silent", "off"] as const;
export type AlertLevel = typeof ALERT_LEVELS[number];

export const PROFILES = ["natr_macd", "natr_rsi", "fixed"] as const;
export type Profile = typeof PROFILES[number];

/** The schema: every key, its type, default, bounds and meaning (units in the text). */
export const SCHEMA = {
  mode: oneOf(["paper", "live"], "paper", "paper: simulated fills; live: real orders through ccxt"),
  market: {
    exchange: str("binance", "ccxt exchange id (binance for spot, binanceusdm for USDT-M perpetuals)"),
    symbol: str("ETH/USDT", "ccxt unified symbol (perpetuals look like ETH/USDT:USDT)"),
    type: oneOf(["spot", "perp"], "spot", "spot: inventory is base vs quote; perp: inventory is the position"),
    sandbox: bool(true, "live mode only: use the exchange's testnet / demo trading"),
    rest_url: str("", "send every REST call to this base URL instead (empty: the exchange's own)"),
    tick_size: num(0.01, "price step in quote; paper/backtest only (live reads it from the market)", {
      above: 0,
    }),
    lot_size: num(0.0001, "amount step in base; paper/backtest only (live reads it from the market)", {
      above: 0,
    }),
    min_notional: num(5, "smallest order value in quote; paper/backtest only (live reads it)", { min: 0 }),
    client_order_prefix: str("mmbot-", "client order id prefix: orders carrying it are ours to cancel"),
    maker_fee_bps: num(10, "maker fee in basis points of the order value (negative: rebate)", {
      min: -100,
      max: 100,
    }),
  },
  strategy: {
    profile: oneOf(
      PROFILES,
      "natr_macd",
      "natr_macd: NATR spreads + MACD trend skew; natr_rsi: NATR spreads + RSI skew; fixed: constant spreads",
    ),
    refresh_s: num(15, "seconds between re-quotes", { min: 1, max: 3600 }),
    order_amount: num(0.01, "size of each quote in base currency", { above: 0 }),
    natr_period: int(30, "NATR / ATR period in 1m candles", { min: 2, max: 1000 }),
    bid_spread_multiplier: num(120, "bid spread = natr × this / 10000 (natr in percent)", { above: 0 }),
    ask_spread_multiplier: num(60, "ask spread = natr × this / 10000 (natr in percent)", { above: 0 }),
    fixed_bid_spread_bps: num(10, "fixed profile: bid distance from the reference in bps", { above: 0 }),
    fixed_ask_spread_bps: num(10, "fixed profile: ask distance from the reference in bps", { above: 0 }),
    macd_fast: int(12, "natr_macd: MACD fast EMA period in candles", { min: 1, max: 1000 }),
    macd_slow: int(26, "natr_macd: MACD slow EMA period in candles", { min: 2, max: 1000 }),
    macd_signal: int(9, "natr_macd: MACD signal EMA period in candles", { min: 1, max: 1000 }),
    rsi_period: int(30, "natr_rsi: RSI period in candles", { min: 2, max: 1000 }),
    trend_scalar: num(-1, "natr_rsi: s = this × (rsi − 50) / 50; −1 leans against overbought/oversold", {
      min: -1,
      max: 1,
    }),
    shift_multiplier: num(0.5, "max_shift = this × natr / 100 (fraction of mid)", { min: 0, max: 100 }),
    inventory_scalar: num(1, "weight of the inventory shift relative to max_shift", { min: 0, max: 100 }),
    target_base_ratio: num(0.5, "wanted share of equity held in base (spot) / neutral position (perp)", {
      above: 0,
      below: 1,
    }),
    max_inventory_deviation: num(0.3, "past |ratio − target| > this, quote only the side that reduces it", {
      above: 0,
      max: 1,
    }),
    max_position_notional: num(1000, "perp: largest position value in quote, either direction", {
      above: 0,
    }),
    min_spread_bps: num(1, "each quote stays at least this far from mid, in bps", { above: 0, max: 10000 }),
    refresh_tolerance_bps: num(1, "keep a resting order if within this many bps of its new quote", {
      min: 0,
      max: 10000,
    }),
    max_candle_age_s: num(180, "stand aside when the last closed candle ended longer ago than this", {
      above: 0,
    }),
  },
  risk: {
    max_drawdown_pct: num(10, "kill switch: stop quoting when equity falls this % below its peak", {
      above: 0,
      max: 100,
    }),
    max_natr_pct: num(1, "volatility cap: stand aside while NATR (percent) is above this", { above: 0 }),
    max_book_age_s: num(30, "stale data: stand aside when the order book is older than this, seconds", {
      above: 0,
    }),
    max_consecutive_errors: int(5, "error breaker: pause quoting after this many failed ticks in a row", {
      min: 1,
      max: 1000,
    }),
  },
  feed: {
    source: oneOf(["replay", "live"], "replay", "replay: candles from feed.path; live: public exchange data"),
    path: str("data/binance_spot_ETHUSDT_1m_sample.csv", "replay: candle CSV (ts,open,high,low,close,volume)"),
    speed: num(1, "replay: clock speed, 1 = wall-clock pace, 60 = a minute per second", {
      above: 0,
      max: 1_000_000,
    }),
    websocket: bool(false, "live feed: order book through ccxt watchOrderBook instead of REST"),
  },
  paper: {
    initial_base: num(1, "paper account: starting base balance", { min: 0 }),
    initial_quote: num(3000, "paper account: starting quote balance", { min: 0 }),
    max_volume_share: num(0.1, "a fill takes at most this share of the volume traded through our price", {
      above: 0,
      max: 1,
    }),
  },
  http: {
    enabled: bool(true, "serve /health, /metrics, /api and the dashboard"),
    host: str("127.0.0.1", "bind address; non-loopback needs HTTP_TOKEN"),
    port: int(8080, "TCP port (0: any free port)", { min: 0, max: 65535 }),
  },
  telegram: {
    api_root: str("https://api.telegram.org", "Bot API server (a self-hosted one, or a fake in tests)"),
    coalesce_fills_s: num(3, "fills arriving within this many seconds go out as one alert", { min: 0, max: 300 }),
    error_repeat_s: num(300, "an identical error is alerted again (with its count) at most this often, seconds", {
      min: 1,
    }),
    queue_size: int(100, "alerts waiting while Telegram is unreachable; the oldest are dropped beyond this", {
      min: 1,
      max: 10000,
    }),
    alerts: {
      fills: oneOf(ALERT_LEVELS, "on", "each fill (side, amount, price, fee, inventory); on, silent or off"),
      inventory: oneOf(ALERT_LEVELS, "on", "inventory limit hit and cleared"),
      errors: oneOf(ALERT_LEVELS, "on", "errors (deduplicated) and the error breaker"),
      kill_switch: oneOf(ALERT_LEVELS, "on", "drawdown kill switch tripped"),
      stale_data: oneOf(ALERT_LEVELS, "on", "market data stale / fresh again"),
      lifecycle: oneOf(ALERT_LEVELS, "silent", "bot started, stopped, paused, resumed"),
    },
  },
  storage: {
    path: str("data/mmbot.sqlite", "SQLite ledger file"),
  },
} as const;

type Section = { readonly [key: string]: Field | Section };
type ValueOf<F> = F extends EnumField<infer V> ? V
  : F extends NumberField ? number
  : F extends BooleanField ? boolean
  : F extends StringField ? string
  : F extends Section ? { -readonly [K in keyof F]: ValueOf<F[K]> }
  : never;

/** The validated configuration; shape and key names follow `SCHEMA`. */
export type Config = ValueOf<typeof SCHEMA>;

/** Bad configuration: every problem, each naming the key, the value and what is allowed. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
    this.name = "ConfigError";
  }
}

const isField = (node: Field | Section): node is Field => typeof (node as Field).kind === "string";
const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Every dotted key path of the schema with its field. */
export function schemaFields(section: Section = SCHEMA, prefix = ""): [string, Field][] {
  return Object.entries(section).flatMap(([key, node]) =>
    isField(node) ? [[prefix + key, node] as [string, Field]] : schemaFields(node, `${prefix}${key}.`)
  );
}

const FIELDS = new Map(schemaFields());

/** What a field accepts, in words, for error messages. */
export function allowed(field: Field): string {
  switch (field.kind) {
    case "boolean":
      return "true or false";
    case "string":
      return "a string";
    case "enum":
      return `one of ${field.values.join(", ")}`;
    default: {
      const limits = [
        field.min !== undefined ? `≥ ${field.min}` : "",
        field.above !== undefined ? `> ${field.above}` : "",
        field.max !== undefined ? `≤ ${field.max}` : "",
        field.below !== undefined ? `< ${field.below}` : "",
      ].filter(Boolean);
      const what = field.kind === "integer" ? "an integer" : "a number";
      return limits.length ? `${what} ${limits.join(" and ")}` : what;
    }
  }
}

const show = (v: unknown) => (typeof v === "string" ? JSON.stringify(v) : String(v));

/** Checks one value against its field; returns a problem or null. */
export function checkValue(path: string, field: Field, value: unknown): string | null {
  const bad = () => `${path}: ${show(value)} is not allowed; must be ${allowed(field)}`;
  switch (field.kind) {
    case "boolean":
      return typeof value === "boolean" ? null : bad();
    case "string":
      return typeof value === "string" ? null : bad();
    case "enum":
      return field.values.includes(value as string) ? null : bad();
    default: {
      if (typeof value !== "number" || !Number.isFinite(value)) return bad();
      if (field.kind === "integer" && !Number.isInteger(value)) return bad();
      if (field.min !== undefined && value < field.min) return bad();
      if (field.max !== undefined && value > field.max) return bad();
      if (field.above !== undefined && value <= field.above) return bad();
      if (field.below !== undefined && value >= field.below) return bad();
      return null;
    }
  }
}

/** Turns a `--set` / `/set` string into the field's type (the schema decides, not the text). */
export function parseValue(path: string, text: string): { value: unknown } | { problem: string } {
  const field = FIELDS.get(path);
  if (!field) return { problem: unknownKey(path) };
  const t = text.trim();
  switch (field.kind) {
    case "boolean":
      if (t === "true" || t === "false") return { value: t === "true" };
      return { problem: `${path}: ${show(text)} is not allowed; must be ${allowed(field)}` };
    case "number":
    case "integer": {
      const n = t === "" ? NaN : Number(t);
      if (Number.isNaN(n)) return { problem: `${path}: ${show(text)} is not allowed; must be ${allowed(field)}` };
      return { value: n };
    }
    default:
      return { value: text };
  }
}

const SECRET_HINTS: Record<string, string> = {
  token: "TELEGRAM_BOT_TOKEN",
  bot_token: "TELEGRAM_BOT_TOKEN",
  allowed_users: "TELEGRAM_ALLOWED_USERS",
  api_key: "EXCHANGE_API_KEY",
  apikey: "EXCHANGE_API_KEY",
  secret: "EXCHANGE_API_SECRET",
  api_secret: "EXCHANGE_API_SECRET",
};

function unknownKey(path: string): string {
  const leaf = path.slice(path.lastIndexOf(".") + 1);
  const secret = SECRET_HINTS[leaf.toLowerCase()];
  if (secret) return `${path}: secrets are not read from the config; set the environment variable ${secret}`;
  // List what is allowed at the deepest section of the path that exists.
  const parts = path.split(".");
  let section: Section = SCHEMA;
  let parent = "";
  for (const part of parts.slice(0, -1)) {
    const child: Field | Section | undefined = section[part];
    if (!child || isField(child)) break;
    section = child;
    parent = parent ? `${parent}.${part}` : part;
  }
  return `${path}: unknown key; allowed${parent ? ` in ${parent}` : ""}: ${Object.keys(section).join(", ")}`;
}

/** Walks a parsed YAML document; collects unknown keys and misplaced sections. */
function flatten(doc: unknown, problems: string[]): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const walk = (node: Record<string, unknown>, section: Section, prefix: string) => {
    for (const [key, value] of Object.entries(node)) {
      const path = prefix + key;
      const child = section[key];
      if (!child) problems.push(unknownKey(path));
      else if (isField(child)) out.set(path, value);
      else if (isPlainObject(value)) walk(value, child, path + ".");
      else if (value !== null) problems.push(`${path}: ${show(value)} is not allowed; must be a section with keys`);
    }
  };
  if (doc === null || doc === undefined) return out; // an empty file means "all defaults"
  if (!isPlainObject(doc)) problems.push(`config: the document must be a mapping of keys, got ${show(doc)}`);
  else walk(doc, SCHEMA, "");
  return out;
}

/** Cross-field rules the per-key bounds cannot express. */
function crossChecks(c: Config): string[] {
  const problems: string[] = [];
  if (c.strategy.macd_fast >= c.strategy.macd_slow) {
    problems.push(
      `strategy.macd_fast: ${c.strategy.macd_fast} is not allowed; must be less than strategy.macd_slow (${c.strategy.macd_slow})`,
    );
  }
  if (!/^[A-Za-z0-9._:\/-]{1,20}$/.test(c.market.client_order_prefix)) {
    problems.push(
      `market.client_order_prefix: ${
        JSON.stringify(c.market.client_order_prefix)
      } is not allowed; must be 1–20 characters of letters, digits and . _ : / -`,
    );
  }
  if (c.mode === "live" && c.feed.source === "replay") {
    problems.push(`feed.source: "replay" is not allowed with mode "live"; must be live`);
  }
  return problems;
}

export interface LoadOptions {
  /** YAML text of the config file ("" for none) and its name for messages. */
  yamlText?: string;
  source?: string;
  /** `key.path=value` overrides, applied after the file. */
  sets?: string[];
}

/** Builds the configuration from the layers; throws ConfigError listing every problem. */
export function buildConfig({ yamlText = "", source = "config", sets = [] }: LoadOptions): Config {
  const problems: string[] = [];
  let doc: unknown = null;
  const parsed = YAML.parseDocument(yamlText, { uniqueKeys: true });
  if (parsed.errors.length) {
    for (const e of parsed.errors) problems.push(`${source}: YAML error: ${e.message.split("\n")[0]}`);
  } else {
    doc = parsed.toJS();
  }
  const values = flatten(doc, problems);
  for (const assignment of sets) {
    const eq = assignment.indexOf("=");
    if (eq <= 0) {
      problems.push(`--set ${show(assignment)}: must look like key.path=value`);
      continue;
    }
    const path = assignment.slice(0, eq).trim();
    const parsedValue = parseValue(path, assignment.slice(eq + 1));
    if ("problem" in parsedValue) problems.push(`${parsedValue.problem} (from --set)`);
    else values.set(path, parsedValue.value);
  }
  const config = structuredClone(defaults());
  for (const [path, value] of values) {
    const problem = checkValue(path, FIELDS.get(path)!, value);
    if (problem) problems.push(problem);
    else setPath(config, path, value);
  }
  if (!problems.length) problems.push(...crossChecks(config));
  if (problems.length) throw new ConfigError(problems);
  return config;
}

/** Keys a running bot can change (/set); the rest (market, mode, feed, storage, …) need a restart. */
export function settableAtRuntime(path: string): boolean {
  return /^(strategy|risk)\./.test(path) || /^telegram\.(alerts\.|coalesce_fills_s$|error_repeat_s$)/.test(path);
}

/** A copy of `config` with one key changed, validated like the rest (for `/set`). */
export function withValue(config: Config, path: string, text: string): Config {
  const parsed = parseValue(path, text);
  if ("problem" in parsed) throw new ConfigError([parsed.problem]);
  const problem = checkValue(path, FIELDS.get(path)!, parsed.value);
  if (problem) throw new ConfigError([problem]);
  const next = structuredClone(config);
  setPath(next, path, parsed.value);
  const cross = crossChecks(next);
  if (cross.length) throw new ConfigError(cross);
  return next;
}

export function defaults(): Config {
  const config: Record<string, unknown> = {};
  for (const [path, field] of FIELDS) setPath(config, path, field.default);
  return config as Config;
}

export function getPath(obj: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown>)?.[key], obj);
}

function setPath(obj: object, path: string, value: unknown): void {
  const keys = path.split(".");
  let node = obj as Record<string, unknown>;
  for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
  node[keys[keys.length - 1]] = value;
}

/** Secrets, from the environment only. */
export interface Secrets {
  telegramBotToken?: string;
  telegramAllowedUsers: number[];
  exchangeApiKey?: string;
  exchangeApiSecret?: string;
  httpToken?: string;
}

export const SECRET_NAMES = [
  "TELEGRAM_BOT_TOKEN",
  "TELEGRAM_ALLOWED_USERS",
  "EXCHANGE_API_KEY",
  "EXCHANGE_API_SECRET",
  "HTTP_TOKEN",
] as const;

/** Reads secrets from an environment map; throws ConfigError for malformed ones. */
export function loadSecrets(env: Record<string, string | undefined>): Secrets {
  const get = (name: string) => (env[name]?.trim() ? env[name]!.trim() : undefined);
  const problems: string[] = [];
  const users: number[] = [];
  for (const part of (get("TELEGRAM_ALLOWED_USERS") ?? "").split(",").map((s) => s.trim()).filter(Boolean)) {
    if (/^\d{1,15}$/.test(part)) users.push(Number(part));
    else {problems.push(
        `TELEGRAM_ALLOWED_USERS: ${show(part)} is not allowed; must be numeric Telegram user ids, comma separated`,
      );}
  }
  if (problems.length) throw new ConfigError(problems);
  return {
    telegramBotToken: get("TELEGRAM_BOT_TOKEN"),
    telegramAllowedUsers: users,
    exchangeApiKey: get("EXCHANGE_API_KEY"),
    exchangeApiSecret: get("EXCHANGE_API_SECRET"),
    httpToken: get("HTTP_TOKEN"),
  };
}

/** Secret presence for display: never the value. */
export function describeSecrets(s: Secrets): Record<(typeof SECRET_NAMES)[number], string> {
  const mark = (v: unknown) => (v ? "<set>" : "<not set>");
  return {
    TELEGRAM_BOT_TOKEN: mark(s.telegramBotToken),
    TELEGRAM_ALLOWED_USERS: s.telegramAllowedUsers.length ? s.telegramAllowedUsers.join(",") : "<not set>",
    EXCHANGE_API_KEY: mark(s.exchangeApiKey),
    EXCHANGE_API_SECRET: mark(s.exchangeApiSecret),
    HTTP_TOKEN: mark(s.httpToken),
  };
}
