/**
 * The operator's pause, answered at once whatever the venue is doing. The pause is in the pause store the moment it
 * is asked for (and `pausing` on every screen); its cancels wait their turn behind a tick the venue may be keeping
 * waiting. So the one who asked gets the pull's result when it comes within `withinMs`, else "pause recorded,
 * cancelling N order(s)" while the pull goes on (the ticks retry what is left, and the `paused` alert follows).
 */
import type { PauseSource } from "../core/events.ts";
import { within } from "../core/sleep.ts";
import type { Engine } from "./engine.ts";
import type { PullResult } from "./desk.ts";

export type PauseAnswer =
  | { done: true; result: PullResult }
  /** the pull is still waiting for the venue: `cancelling` is how many orders of ours were known to rest */
  | { done: false; cancelling: number };

/** How long an operator waits for the pull before the answer goes out without it, ms. */
export const PAUSE_ANSWER_MS = 1000;

export async function pauseAnswer(
  engine: Engine,
  source: PauseSource,
  withinMs = PAUSE_ANSWER_MS,
): Promise<PauseAnswer> {
  const cancelling = engine.status().openOrders.length;
  const result = await within(withinMs, engine.pause(source), () => null);
  return result === null ? { done: false, cancelling } : { done: true, result };
}

/** The answer in words, for Telegram and the console. */
export function pauseAnswerText(a: Extract<PauseAnswer, { done: false }>): string {
  return `⏸ Pause recorded, cancelling ${a.cancelling} order(s): the venue is slow to answer; the cancels go on every tick until none rests (/status shows progress, an alert follows).`;
}
