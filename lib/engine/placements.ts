/**
 * A quoting tick's placements folded into the run state, one answer at a time as the cycle gets it (cycle.ts): the
 * order resting (ours from now on, its mid noted for the fills' spread capture), the venue's refusal for this tick
 * (the side skipped, said in the reason and detail), or no answer (it may rest: counted as ours, and the tick fails).
 * Plain methods between the cycle's waits, so the cycle's tick is one generator for its life (drive.ts).
 */
import type { TickActions } from "../core/decide.ts";
import type { EngineEvent } from "../core/events.ts";
import type { Clock, Order, Quote } from "../core/types.ts";
import { OrderRejected } from "../venues/port.ts";
import type { Accounts } from "./accounts.ts";
import { type Placement, Unanswered } from "./desk.ts";
import type { Recording } from "./recording.ts";
import { rejectionSkip } from "./skips.ts";
import type { RunState } from "./status.ts";

export class Placements {
  /** the tick's reason and detail: the plan's, a rejected placement adding to them */
  #reason: string | null = null;
  #detail: string | null = null;
  #mid = NaN;

  constructor(
    private readonly run: RunState,
    private readonly accounts: Accounts,
    private readonly clock: Clock,
    private readonly recording: Recording,
    private readonly emit: (e: EngineEvent) => void,
  ) {}

  /**
   * After the plan's cancels: what rests is what was listed just now less what the plan cancelled. The plan's keep
   * list is this tick's own (planOrders makes it fresh and nothing else keeps it), so it is handed over, not copied.
   * `mid`: what the placements' fills are measured from.
   */
  begin(a: TickActions, mid: number): void {
    const run = this.run;
    run.orders.quoting(a.keep as Order[]);
    if (a.quote?.action === "quote" && a.quote.inventoryLimit) run.skips.ticksAtInventoryLimit++;
    this.#reason = a.reason;
    this.#detail = a.detail;
    this.#mid = mid;
  }

  /** One placement's answer (an unanswered one is thrown: the tick fails, the order counts as ours). */
  placed(q: Quote, p: Placement): void {
    const run = this.run, ts = this.clock.now();
    if (p instanceof Unanswered) {
      run.orders.unanswered(p.order, ts);
      throw p.error;
    }
    if (p instanceof OrderRejected) {
      // refused for this tick only (post-only cross, funds): skip the side
      const { reason: code, message } = p, skip = rejectionSkip(code);
      run.skips.add(skip, 1);
      this.#reason ??= skip;
      this.#detail = (this.#detail ? `${this.#detail}; ` : "") + `${q.side} rejected: ${message}`;
      this.emit({ type: "order_rejected", ts, side: q.side, reason: code, message });
      return;
    }
    run.orders.placed(p, q.level ?? 0); // the venue knows no level; the ledger and status show it
    this.accounts.placed(p.clientOrderId, this.#mid);
    const copy = this.recording.hears("order_placed") && (q.level ? { ...p, level: q.level } : { ...p });
    if (copy) this.emit({ type: "order_placed", ts, order: copy }); // copied: a backlog may keep it past fills
  }

  /** The placements are done (or stopped by a pause, a stop or the ledger): the tick is quoting. */
  end(): void {
    const run = this.run;
    run.state = "quoting";
    run.reason = this.#reason;
    run.detail = this.#detail;
  }
}
