/**
 * Quotes not placed, by reason (DESIGN §14 `skipped`): one count per side per tick that side was not
 * quoted, so a tick spent standing aside counts two. Also the ticks spent at the inventory limit.
 * Cheap enough for every tick of every mode (a few integer additions); the backtest reports it.
 */
export type SkipCounts = Record<string, number>;

export class SkipTally {
  readonly counts: SkipCounts = {};
  ticksAtInventoryLimit = 0;

  add(reason: string, sides: number): void {
    this.counts[reason] = (this.counts[reason] ?? 0) + sides;
  }
}

/** A refusal by the venue, in the words of the skip reasons (a funds refusal is "funds" either way). */
export const rejectionSkip = (reason: "post_only" | "insufficient_funds" | "invalid") =>
  reason === "insufficient_funds" ? "funds" : reason === "post_only" ? "post_only_cross" : "rejected";
