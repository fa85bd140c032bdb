/** Prometheus metrics: counters fed by engine events, gauges read from the status at scrape time. */
import type { Engine } from "../engine/engine.ts";
import type { EngineStatus } from "../engine/status.ts";
import { type ExchangePort, OrderRejected } from "../venues/port.ts";
import type { ProcessProbe } from "../engine/process.ts";

export class Metrics {
  /** `probe`: the process's memory, CPU, descriptors and event-loop lag (absent: no process_* series) */
  constructor(readonly probe: ProcessProbe | null = null) {}

  ordersPlaced = 0;
  ordersCancelled = 0;
  fills = { buy: 0, sell: 0 };
  fillVolumeBase = { buy: 0, sell: 0 };
  errors = new Map<string, number>();
  telegramSent = 0;
  telegramDropped = 0;
  /** exchange calls by method: count and total seconds */
  requests = new Map<string, { count: number; seconds: number }>();

  /** Counts the engine's order, fill and error events. */
  watch(engine: Engine): this {
    engine.on((e) => {
      if (e.type === "order_placed") this.ordersPlaced++;
      else if (e.type === "order_cancelled") this.ordersCancelled++;
      else if (e.type === "fill") {
        this.fills[e.fill.side]++;
        this.fillVolumeBase[e.fill.side] += e.fill.amount;
      } else if (e.type === "error") this.countError("tick");
    });
    return this;
  }

  /**
   * The same port, timing every call and counting its failures by kind (rejection reason or error class). An answer
   * that is a value stays a value (the paper exchange's), so a tick that needs no network runs without a promise.
   */
  instrument(port: ExchangePort): ExchangePort {
    const timed = {} as Record<string, unknown>;
    for (const method of Object.keys(TIMED) as (keyof ExchangePort)[]) {
      if (typeof port[method] !== "function") continue; // an optional method this venue does not have
      const call = (port[method] as (...a: unknown[]) => unknown).bind(port);
      const took = (t0: number) => {
        const r = this.requests.get(method) ?? { count: 0, seconds: 0 };
        r.count++;
        r.seconds += (performance.now() - t0) / 1000;
        this.requests.set(method, r);
      };
      const answered = (t0: number, answer: unknown) => {
        took(t0);
        if (answer instanceof OrderRejected) this.countError(answer.reason); // a refusal is an answer, not a throw
        return answer;
      };
      const failed = (t0: number, e: unknown): never => {
        took(t0);
        this.countError((e as Error)?.name ?? "unknown");
        throw e;
      };
      timed[method] = (...args: unknown[]) => {
        const t0 = performance.now();
        let answer: unknown;
        try {
          answer = call(...args);
        } catch (e) {
          return failed(t0, e);
        }
        return answer instanceof Promise
          ? answer.then((v) => answered(t0, v), (e) => failed(t0, e))
          : answered(t0, answer);
      };
    }
    return timed as unknown as ExchangePort;
  }

  countError(kind: string): void {
    this.errors.set(kind, (this.errors.get(kind) ?? 0) + 1);
  }
}

// every method of the port, so that a new one cannot be forgotten (the type checks the keys)
const TIMED: Record<keyof ExchangePort, true> = {
  rules: true,
  topOfBook: true,
  closedCandles: true,
  balances: true,
  openOrders: true,
  place: true,
  cancel: true,
  fillsSince: true,
  armDeadMan: true,
};

const esc = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

/** Prometheus text exposition (version 0.0.4), `mm_` prefix, base units. */
export function renderMetrics(m: Metrics, s: EngineStatus, build: { version: string; runtime: string }): string {
  const out: string[] = [];
  const metric = (
    name: string,
    type: "gauge" | "counter",
    help: string,
    samples: [Record<string, string>, number | null][],
  ) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) {
      if (value === null || !Number.isFinite(value)) continue;
      const l = Object.entries(labels).map(([k, v]) => `${k}="${esc(v)}"`).join(",");
      out.push(`${name}${l ? `{${l}}` : ""} ${value}`);
    }
  };
  const g = (name: string, help: string, value: number | null) => metric(name, "gauge", help, [[{}, value]]);
  const d = s.decision?.action === "quote" ? s.decision : null;

  metric("mm_build_info", "gauge", "Build and run information (always 1).", [[{
    version: build.version,
    runtime: build.runtime,
    mode: s.mode,
    symbol: s.symbol,
    profile: s.profile,
  }, 1]]);
  g("mm_paused", "1 while paused by the user.", s.paused ? 1 : 0);
  g("mm_kill_switch", "1 while the drawdown kill switch is tripped.", s.killSwitch ? 1 : 0);
  g("mm_quoting", "1 while the bot has quotes out.", s.state === "quoting" ? 1 : 0);
  metric("mm_orders_placed_total", "counter", "Orders placed.", [[{}, m.ordersPlaced]]);
  metric("mm_orders_cancelled_total", "counter", "Orders cancelled.", [[{}, m.ordersCancelled]]);
  metric("mm_fills_total", "counter", "Fills by side.", [[{ side: "buy" }, m.fills.buy], [
    { side: "sell" },
    m.fills.sell,
  ]]);
  metric("mm_fill_volume_base_total", "counter", "Filled amount in base currency by side.", [
    [{ side: "buy" }, m.fillVolumeBase.buy],
    [{ side: "sell" }, m.fillVolumeBase.sell],
  ]);
  g(
    "mm_inventory_ratio",
    "Inventory ratio (spot: base share of equity; perp: 0.5 + position share of the limit).",
    s.inventoryRatio,
  );
  metric("mm_balance", "gauge", "Balances by asset (perp: position in base, cash in quote).", [
    [{ asset: "base" }, s.inventory ? (s.inventory.position ?? s.inventory.base) : null],
    [{ asset: "quote" }, s.inventory?.quote ?? null],
  ]);
  g("mm_equity_quote", "Equity in quote currency: base × mid + quote.", s.pnl?.equity ?? null);
  g("mm_pnl_realized_quote", "Realized PnL by average cost, before fees, in quote.", s.pnl?.realized ?? null);
  g("mm_pnl_unrealized_quote", "Unrealized PnL at mid, in quote.", s.pnl?.unrealized ?? null);
  g("mm_fees_quote", "Fees paid, in quote.", s.pnl?.fees ?? null);
  g(
    "mm_funding_quote",
    "Perp funding received (+) or paid (−) so far, in quote.",
    s.margin ? s.pnl?.funding ?? null : null,
  );
  g(
    "mm_liquidation_price",
    "Perp: the position's liquidation price (absent when flat or none).",
    s.margin?.liquidationPrice ?? null,
  );
  g(
    "mm_liquidation_distance_ratio",
    "Perp: distance of the mid from the liquidation price on the safe side, fraction of mid; negative past it.",
    s.margin?.liquidationDistancePct == null ? null : s.margin.liquidationDistancePct / 100,
  );
  g("mm_mid_price", "Mid price.", s.mid);
  metric("mm_spread_bps", "gauge", "Distance of our quote from mid, in basis points.", [
    [{ side: "bid" }, d?.figures.bidDistanceBps ?? null],
    [{ side: "ask" }, d?.figures.askDistanceBps ?? null],
  ]);
  g("mm_natr_percent", "NATR in percent.", s.indicators.natr);
  g("mm_rsi", "RSI (natr_rsi profile).", s.indicators.rsi);
  g(
    "mm_macd_hist",
    "MACD histogram value (natr_macd profile); was mm_macd_histogram.",
    s.indicators.macd?.histogram ?? null,
  );
  g("mm_trend_signal", "Trend signal s in [-1, 1].", d?.figures.trend ?? null);
  g("mm_loop_duration_seconds", "Duration of the last tick.", s.loopMs === null ? null : s.loopMs / 1000);
  g(
    "mm_last_tick_timestamp_seconds",
    "Time of the last tick (market clock).",
    s.lastTickTs === null ? null : s.lastTickTs / 1000,
  );
  const req = [...m.requests];
  out.push(
    "# HELP mm_exchange_request_duration_seconds Duration of exchange calls by method.",
    "# TYPE mm_exchange_request_duration_seconds summary",
    ...req.flatMap(([method, r]) => [
      `mm_exchange_request_duration_seconds_sum{method="${method}"} ${r.seconds}`,
      `mm_exchange_request_duration_seconds_count{method="${method}"} ${r.count}`,
    ]),
  );
  metric(
    "mm_errors_total",
    "counter",
    "Errors by kind (tick: a failed cycle; others: exchange call failures by reason or error class).",
    [...m.errors].map(([kind, n]) => [{ kind }, n]),
  );
  metric("mm_telegram_messages_sent_total", "counter", "Telegram messages sent.", [[{}, m.telegramSent]]);
  metric(
    "mm_telegram_messages_dropped_total",
    "counter",
    "Telegram alerts dropped: a full queue, or refused by Telegram.",
    [[
      {},
      m.telegramDropped,
    ]],
  );
  if (m.probe) processMetrics(m.probe, metric, g);
  return out.join("\n") + "\n";
}

type Put = (
  name: string,
  type: "gauge" | "counter",
  help: string,
  samples: [Record<string, string>, number | null][],
) => void;

/** The process figures under the names Prometheus' client libraries use (process_*, and prom-client's nodejs_*). */
function processMetrics(probe: ProcessProbe, metric: Put, g: (name: string, help: string, v: number | null) => void) {
  const p = probe.read();
  metric("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.", [[
    {},
    p.cpuSeconds,
  ]]);
  g("process_resident_memory_bytes", "Resident memory size in bytes.", p.rssBytes);
  g("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", p.startTimeS);
  g("process_open_fds", "Number of open file descriptors.", p.openFds);
  g("process_max_fds", "Maximum number of open file descriptors.", p.maxFds);
  g("nodejs_heap_size_total_bytes", "JavaScript heap size from the runtime in bytes.", p.heapTotalBytes);
  g("nodejs_heap_size_used_bytes", "JavaScript heap in use from the runtime in bytes.", p.heapUsedBytes);
  g("nodejs_external_memory_bytes", "Memory held outside the JavaScript heap in bytes.", p.externalBytes);
  g("nodejs_eventloop_lag_seconds", "How late the last event-loop probe's timer fired, in seconds.", p.eventLoopLagS);
  g(
    "nodejs_eventloop_lag_max_seconds",
    "The largest event-loop lag over the last minute, in seconds.",
    p.eventLoopLagMaxS,
  );
}
