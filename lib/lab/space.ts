/**
 * The search space of `optimize`: `--space key=lo:hi` parsed and checked against the config schema's keys and
 * bounds, and a default space per profile (the keys that matter for that profile's quotes).
 */
import { type Config, type Field, isField, type Profile, schemaFields } from "../config/schema.ts";
import { allowed, checkValue, getPath } from "../config/validate.ts";
import { requiredCandles } from "../core/indicators.ts";

/** One tuned key and its inclusive range. */
export interface Dimension {
  key: string;
  lo: number;
  hi: number;
  /** integer keys (periods) take whole values only */
  integer: boolean;
}

/** Bad `--space` text: the message names the argument and what is allowed. */
export class SpaceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SpaceError";
  }
}

/** Keys that may be tuned: the numbers of the strategy and risk sections (what a profile sets). */
export const TUNABLE: ReadonlyMap<string, Field> = new Map(
  schemaFields().filter(([path, field]) =>
    isField(field) && /^(strategy|risk)\./.test(path) && (field.kind === "number" || field.kind === "integer")
  ),
);

/** Inventory control (lib/core/inventory.ts): the band, the skew that brings inventory back, the adding side's size. */
const INVENTORY_CONTROL = [
  "strategy.max_inventory_deviation=0.05:0.45",
  "strategy.inventory_skew=0:2",
  "strategy.inventory_size_shape=0:3",
];

/**
 * Levels (lib/core/levels.ts): how many quotes a side, the step between them and how size grows with depth. A deeper
 * level catches a wick that reverts; the adaptive profiles step in NATR multiples (their spreads are NATR multiples
 * too, so a level stays as deep in calm and wild markets alike), `fixed` in bps. Last in every space: the seeded
 * points of the keys before them are those of a space without them (the hypercube draws one axis after another).
 */
const levelsBy = (step: string) => ["strategy.levels=1:4", step, "strategy.level_amount_scale=0.5:3"];
const LEVELS_NATR = levelsBy("strategy.level_step_natr=0.5:6");
const LEVELS_BPS = levelsBy("strategy.level_step_bps=5:100");

/**
 * The fast-move guard (lib/core/move-guard.ts) of the adaptive profiles: the threshold in NATR multiples, the span of
 * the move in candles and how far the run-over side and the other side move out. After the levels, so the points before
 * it stay.
 */
const MOVE_GUARD = [
  "strategy.move_guard_natr=0.5:6",
  "strategy.move_guard_min=1:15",
  "strategy.move_guard_widen=0:3",
  "strategy.move_guard_away=0:3",
];

/**
 * The calm filter (lib/core/range-guard.ts) of the adaptive profiles: the threshold of the widest recent candle in
 * NATR multiples, how many candles it looks back and how far both sides move out. Last, so the points before it stay.
 */
const CALM = [
  "strategy.range_guard_natr=0.5:8",
  "strategy.range_guard_min=1:15",
  "strategy.range_guard_widen=0:3",
];

/**
 * The perp unwind of a losing position (lib/core/unwind.ts) of the adaptive profiles: how far under water, in NATR
 * multiples, before the adding side stands aside, and how near the mid the reducing side then sits. Last, after the
 * calm filter, so the points before it stay (on spot it does nothing: no position entry).
 */
const UNWIND = ["strategy.unwind_natr=0.5:8", "strategy.unwind_offset_natr=0:3"];

/** The default space of each profile: its spread terms, the shifts of the reference, inventory control and levels. */
export const DEFAULT_SPACES: Record<Profile, string[]> = {
  natr_macd: [
    "strategy.bid_spread_multiplier=20:400",
    "strategy.ask_spread_multiplier=20:400",
    "strategy.shift_multiplier=0:2",
    "strategy.inventory_scalar=0:3",
    "strategy.natr_period=10:120",
    ...INVENTORY_CONTROL,
    ...LEVELS_NATR,
    ...MOVE_GUARD,
    ...CALM,
    ...UNWIND,
  ],
  natr_rsi: [
    "strategy.bid_spread_multiplier=20:400",
    "strategy.ask_spread_multiplier=20:400",
    "strategy.shift_multiplier=0:2",
    "strategy.inventory_scalar=0:3",
    "strategy.trend_scalar=-1:1",
    "strategy.rsi_period=7:60",
    ...INVENTORY_CONTROL,
    ...LEVELS_NATR,
    ...MOVE_GUARD,
    ...CALM,
    ...UNWIND,
  ],
  fixed: [
    "strategy.fixed_bid_spread_bps=2:60",
    "strategy.fixed_ask_spread_bps=2:60",
    "strategy.shift_multiplier=0:2",
    "strategy.inventory_scalar=0:3",
    ...INVENTORY_CONTROL,
    ...LEVELS_BPS,
  ],
  as: [
    "strategy.as_gamma=0.05:10",
    "strategy.as_kappa=50:5000",
    "strategy.as_tau_min=5:240",
    "strategy.natr_period=10:120",
    ...INVENTORY_CONTROL,
    ...LEVELS_NATR,
  ],
};

/** Parses `key=lo:hi` arguments; throws SpaceError naming the first bad one. */
export function parseSpace(args: string[]): Dimension[] {
  const dims: Dimension[] = [];
  for (const arg of args) {
    const m = /^\s*([^=\s]+)\s*=\s*([^:]*):(.*)$/.exec(arg);
    if (!m) throw new SpaceError(`--space ${JSON.stringify(arg)}: must look like key=lo:hi`);
    const [, key, loText, hiText] = m;
    const field = TUNABLE.get(key);
    if (!field) {
      throw new SpaceError(
        `--space ${arg}: unknown key ${JSON.stringify(key)}; tunable keys: ${[...TUNABLE.keys()].join(", ")}`,
      );
    }
    const lo = loText.trim() === "" ? NaN : Number(loText);
    const hi = hiText.trim() === "" ? NaN : Number(hiText);
    for (const [name, value] of [["lo", lo], ["hi", hi]] as const) {
      const problem = checkValue(key, field, value);
      if (problem) {
        throw new SpaceError(`--space ${arg}: ${name} ${value} is not allowed; ${key} must be ${allowed(field)}`);
      }
    }
    if (!(lo < hi)) throw new SpaceError(`--space ${arg}: empty range; lo must be below hi`);
    if (dims.some((d) => d.key === key)) throw new SpaceError(`--space ${arg}: ${key} is given twice`);
    dims.push({ key, lo, hi, integer: field.kind === "integer" });
  }
  return dims;
}

/**
 * The space to search: the given arguments, else the profile's default. With the fee floor on, the default range of
 * a fixed spread starts at the floor (the maker fee): a spread under it quotes at the floor anyway, so the search
 * would spend points on copies of one candidate.
 */
export function spaceFor(config: Config, args: string[]): Dimension[] {
  if (args.length) return parseSpace(args);
  const floor = config.strategy.fee_floor ? config.market.maker_fee_bps : 0;
  return parseSpace(DEFAULT_SPACES[config.strategy.profile]).map((d) =>
    /^strategy\.fixed_(bid|ask)_spread_bps$/.test(d.key) && floor > d.lo && floor < d.hi ? { ...d, lo: floor } : d
  );
}

/** The most 1m candles any candidate of the space needs before its indicators are ready. */
export function warmupOf(config: Config, space: Dimension[]): number {
  const top = (key: string) => {
    const dim = space.find((d) => d.key === `strategy.${key}`);
    return dim ? dim.hi : getPath(config, `strategy.${key}`) as number;
  };
  return requiredCandles({
    profile: config.strategy.profile,
    natr_period: top("natr_period"),
    macd_fast: top("macd_fast"),
    macd_slow: top("macd_slow"),
    macd_signal: top("macd_signal"),
    rsi_period: top("rsi_period"),
    move_guard_natr: top("move_guard_natr"),
    move_guard_min: top("move_guard_min"),
    range_guard_natr: top("range_guard_natr"),
    range_guard_min: top("range_guard_min"),
  });
}
