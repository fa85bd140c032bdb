/**
 * The newer guards' keys, in their own block because schema.ts is at its size limit: the fast-move guard's other
 * side (lib/core/move-guard.ts), the calm filter (lib/core/range-guard.ts) and the perp unwind of a losing position
 * (lib/core/unwind.ts). Off at 0, so no profile's quotes change unless it sets them; `optimize` tunes them in the
 * adaptive profiles' default space.
 */
import type { NumberField } from "./schema.ts";

export const GUARD_KEYS = {
  move_guard_away: {
    kind: "number",
    default: 0,
    doc: "fast-move guard: the side the move runs away from (the bid after a rise) sits this × |move| further (0: off)",
    min: 0,
    max: 10,
  },
  range_guard_natr: {
    kind: "number",
    default: 0,
    doc:
      "calm filter: both sides widen while a candle of the last range_guard_min spanned more than this × natr / 100 " +
      "(ln(high / low); 0: off)",
    min: 0,
    max: 10,
  },
  range_guard_min: {
    kind: "integer",
    default: 3,
    doc: "calm filter: the widest of this many closed 1m candles",
    min: 1,
    max: 60,
  },
  range_guard_widen: {
    kind: "number",
    default: 1,
    doc: "calm filter: each side's spread grows by this × that candle's ln(high / low) (0: off)",
    min: 0,
    max: 10,
  },
  unwind_natr: {
    kind: "number",
    default: 0,
    doc: "perp unwind: while the position is under water by more than this × natr / 100 (ln of entry over mid), the " +
      "side that adds stands aside and the side that reduces sits near the mid (0: off)",
    min: 0,
    max: 100,
  },
  unwind_offset_natr: {
    kind: "number",
    default: 0.5,
    doc: "perp unwind: the reducing side sits this × natr / 100 from the mid, when nearer than its own quote",
    min: 0,
    max: 100,
  },
} as const satisfies Record<string, NumberField>;
