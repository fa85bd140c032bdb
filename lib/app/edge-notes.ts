/**
 * What `optimize --mirror` found for each shipped profile on the development data (README → Optimize → The shipped
 * defaults), said at start so that nobody mistakes a tuned profile for a proven one. Mirrored: each month also run
 * with its direction reversed, so a bet on the trend shows as directional, not as edge.
 */
import type { Profile } from "../config/schema.ts";

export const EDGE_NOTES: Record<Profile, string> = {
  natr_macd: "no reliable edge on the development data: mirrored, after the 10 bps fee, −0.05 to +0.12 % (mean " +
    "+0.03 %) on the six spot holdout quarters, out of sample, −0.08 % in sample; it quotes wide and rarely, three " +
    "levels a side, and stands further off on the side a fast move runs over; the least harmful choice found",
  fixed: "no edge on the development data: mirrored, after the 10 bps fee, −0.45 to +0.15 % a month on six spot " +
    "months, in sample; the baseline to compare against",
  natr_rsi: "no edge on the development data: it loses. Mirrored, after the 2 bps fee, −0.035 % a window on the " +
    "perpetual holdout windows, out of sample (−0.037 % in sample); a tight inventory band, a calm filter, a " +
    "fast-move guard and the unwind of a losing position, no RSI lean: the best in-sample choice the tuning found",
  as: "no edge on the development data: mirrored, after the 2 bps fee, −0.10 % on the perpetual holdout windows, " +
    "out of sample; the least harmful choice found",
};

/** The start-up line about the profile's edge (the shipped parameters'; yours may differ). */
export const edgeNote = (profile: Profile) => `edge: shipped ${profile} parameters: ${EDGE_NOTES[profile]}`;
