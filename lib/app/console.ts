/** The console of a running bot: one line per tick and one per notable event, on stdout (errors on stderr). */
import type { EngineEvent } from "../core/events.ts";
import { currencies, isoMinute, signed } from "../core/format.ts";
import { feeFloorWarning } from "../core/spreads.ts";
import type { Engine } from "../engine/engine.ts";
import type { EngineStatus } from "../engine/status.ts";

/** e.g. `2024-05-01 03:34:00 mid 2990.12 | bid 2988.40 (5.8 bp) ask 2991.05 (3.1 bp) | inv 0.50 | pnl +1.20 USDT, 3 fills` */
export function tickLine(s: EngineStatus): string {
  const [, quote] = currencies(s.symbol);
  const parts = [isoMinute(s.ts)];
  if (s.mid !== null) parts.push(`mid ${s.mid.toFixed(2)}`);
  const d = s.decision;
  if (s.state === "quoting" && d?.action === "quote") {
    const bid = d.bid ? `bid ${d.bid.price.toFixed(2)} (${d.figures.bidDistanceBps!.toFixed(1)} bp)` : "bid –";
    const ask = d.ask ? `ask ${d.ask.price.toFixed(2)} (${d.figures.askDistanceBps!.toFixed(1)} bp)` : "ask –";
    parts.push(`| ${bid} ${ask}`);
  } else {
    parts.push(`| ${s.state.replace("_", " ")}${s.reason ? `: ${s.reason}` : ""}`);
  }
  if (s.inventoryRatio !== null) parts.push(`| inv ${s.inventoryRatio.toFixed(3)}`);
  if (s.pnl) parts.push(`| pnl ${signed(s.pnl.pnl)} ${quote}, ${s.pnl.fills} fills`);
  return parts.join(" ");
}

/** Prints the engine's ticks, fills, errors and state changes as they happen. */
export function logToConsole(engine: Engine): void {
  const [base, quote] = currencies(engine.config.market.symbol);
  let feeChecked = false;
  engine.on((e: EngineEvent) => {
    if (e.type === "tick" && !feeChecked) {
      // once, at the first tick with a NATR: do the configured spreads sit under the maker fee?
      const { indicators } = engine.status(), c = engine.config;
      if (indicators.natr !== null || c.strategy.profile === "fixed") {
        feeChecked = true;
        const warning = feeFloorWarning(c.strategy, c.market.maker_fee_bps, indicators.natr);
        if (warning) console.log(`mmbot: warning: fee floor: ${warning}`);
      }
    }
    if (e.type === "tick") console.log(tickLine(engine.status()));
    else if (e.type === "fill") {
      const f = e.fill;
      console.log(
        `${isoMinute(f.ts)} FILL ${f.side} ${f.amount} ${base} @ ${f.price} (fee ${
          f.feeQuote.toFixed(4)
        } ${quote}), inventory ${e.inventoryRatio.toFixed(3)} [${f.tradeId}]`,
      );
    } else if (e.type === "error") console.error(`${isoMinute(e.ts)} error (${e.consecutive} in a row): ${e.message}`);
    else if (e.type === "paused") console.log(`${isoMinute(e.ts)} paused; cancelled ${e.cancelled} order(s)`);
    else if (e.type === "resumed") console.log(`${isoMinute(e.ts)} resumed`);
    else if (
      e.type === "kill_switch" || e.type === "inventory_limit" || e.type === "stale_data" || e.type === "error_breaker"
    ) {
      console.log(
        `${isoMinute(e.ts)} ${e.type.replace("_", " ")}: ${JSON.stringify({ ...e, type: undefined, ts: undefined })}`,
      );
    }
  });
}
