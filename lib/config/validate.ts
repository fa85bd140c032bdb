/**
 * Validation, once at the edge: YAML and `--set` / `/set` text against the schema, every problem
 * collected and reported with its key, the value and what is allowed. Nothing is half-applied.
 */
import YAML from "yaml";
import { type Config, type Field, isField, SCHEMA, schemaFields, type Section } from "./schema.ts";
import { coherenceProblems } from "./coherence.ts";
import { notDecimal, shapeProblem } from "./limits.ts";

/** Bad configuration: every problem, each naming the key, the value and what is allowed. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
    this.name = "ConfigError";
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const FIELDS = new Map(schemaFields());

/** A bound as config.yml writes it: 1e6 and up in exponent form (1e15, not 1000000000000000). */
const bound = (x: number) => (Math.abs(x) >= 1e6 ? x.toExponential().replace("e+", "e") : String(x));

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
        field.min !== undefined ? `≥ ${bound(field.min)}` : "",
        field.above !== undefined ? `> ${bound(field.above)}` : "",
        field.max !== undefined ? `≤ ${bound(field.max)}` : "",
        field.below !== undefined ? `< ${bound(field.below)}` : "",
      ].filter(Boolean);
      const what = field.kind === "integer" ? "an integer" : "a number";
      return limits.length ? `${what} ${limits.join(" and ")}` : what;
    }
  }
}

/** A number as a person writes it in decimal: 16, -0.5, .5, 1e-3 (not 0x10, 0o20, 0b10000, Infinity). */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * Below this size a non-zero number cannot be computed with: 1e-320 is a subnormal whose notional underflows to 0
 * and whose reciprocal is Infinity. No price, amount, step or rate a venue lists comes near it.
 */
const SMALLEST = 1e-12;

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
      if (value !== 0 && Math.abs(value) < SMALLEST) {
        return `${path}: ${
          show(value)
        } is not allowed; too small to compute with (far enough below 1e-12 a notional underflows to 0 and a reciprocal to Infinity): must be 0 or at least ${SMALLEST}, and ${
          allowed(field)
        }`;
      }
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
      // decimal only: Number() would also read 0x10 as 16, 0b11 as 3 and "Infinity"
      if (!DECIMAL.test(t)) {
        const written = t !== "" && !Number.isNaN(Number(t)) ? "; write numbers in decimal" : "";
        return { problem: `${path}: ${show(text)} is not allowed${written}; must be ${allowed(field)}` };
      }
      return { value: Number(t) };
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

/** Keys renamed since an earlier version: the error names the new ones. */
const RENAMED: Record<string, string> = {
  "telegram.alerts.stale_data":
    "renamed: telegram.alerts.stale_book (order book too old) and telegram.alerts.stale_candles (candles too old)",
};

function unknownKey(path: string): string {
  if (RENAMED[path]) return `${path}: ${RENAMED[path]}`;
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
  problems.push(...coherenceProblems(c));
  return problems;
}

/** The order size is given once: in base (`order_amount`) or in quote (`order_value_quote`). */
const bothSizes = (c: Config) =>
  `strategy.order_amount: ${c.strategy.order_amount} is not allowed together with strategy.order_value_quote (${c.strategy.order_value_quote}); give one size: order_amount in base, or order_value_quote in quote (0: off)`;

/**
 * Limit on alias expansion while the document is converted (the `yaml` package's measure: uses of
 * an anchor × the aliases nested inside it). The schema has about 60 keys, so a real config needs
 * a handful of aliases at most; an alias bomb ("billion laughs") passes the limit early and is
 * refused before it has expanded, instead of eating memory. Set explicitly so that a change of
 * the package's default cannot loosen it.
 */
const MAX_ALIAS_COUNT = 100;

/** A conversion error from `yaml`, in words for the config's author. */
function yamlProblem(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  if (/excessive alias count/i.test(message)) return "excessive alias count; aliases may not expand the document";
  return message.split("\n")[0];
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
  const shape = shapeProblem(yamlText);
  if (shape) throw new ConfigError([`${source}: ${shape}`]); // before the parser sees it: its key checks are quadratic
  const lines = new YAML.LineCounter();
  const parsed = YAML.parseDocument(yamlText, { uniqueKeys: true, lineCounter: lines });
  if (parsed.errors.length) {
    for (const e of parsed.errors) problems.push(`${source}: YAML error: ${e.message.split("\n")[0]}`);
  } else if (notDecimal(parsed, lines, source, problems)) {
    // reported; the document is not converted
  } else {
    try {
      doc = parsed.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      problems.push(`${source}: YAML error: ${yamlProblem(e)}`);
    }
  }
  const values = flatten(doc, problems);
  /** the layer each key was last given in (1: the file, 2: --set), for rules between keys */
  const layer = new Map([...values.keys()].map((k) => [k, 1]));
  for (const assignment of sets) {
    const eq = assignment.indexOf("=");
    if (eq <= 0) {
      problems.push(`--set ${show(assignment)}: must look like key.path=value`);
      continue;
    }
    const path = assignment.slice(0, eq).trim();
    const parsedValue = parseValue(path, assignment.slice(eq + 1));
    if ("problem" in parsedValue) problems.push(`${parsedValue.problem} (from --set)`);
    else {
      values.set(path, parsedValue.value);
      layer.set(path, 2);
    }
  }
  const config = structuredClone(defaults());
  for (const [path, value] of values) {
    const problem = checkValue(path, FIELDS.get(path)!, value);
    if (problem) problems.push(problem);
    else setPath(config, path, value);
  }
  if (!problems.length) problems.push(...crossChecks(config));
  // a size in quote set where (or after) a size in base is also given: the user meant both
  if (
    !problems.length && config.strategy.order_value_quote > 0 &&
    (layer.get("strategy.order_amount") ?? 0) >= (layer.get("strategy.order_value_quote") ?? 0)
  ) {
    problems.push(bothSizes(config));
  }
  if (problems.length) throw new ConfigError(problems);
  return config;
}

/** A copy of `config` with one key changed, validated like the rest (for `/set`). */
export function withValue(config: Config, path: string, text: string): Config {
  const parsed = parseValue(path, text);
  if ("problem" in parsed) throw new ConfigError([parsed.problem]);
  const problem = checkValue(path, FIELDS.get(path)!, parsed.value);
  if (problem) throw new ConfigError([problem]);
  const next = structuredClone(config);
  setPath(next, path, parsed.value);
  if (path === "strategy.order_amount" && next.strategy.order_value_quote > 0) throw new ConfigError([bothSizes(next)]);
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
