/**
 * The live dashboard: one self-contained page (no CDN, no build step) that polls /api/dashboard
 * and draws balances, orders, position, spreads, indicators, PnL and a candle chart with our quotes
 * and fills as inline SVG.
 */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>mmbot</title>
<style>
  :root { font-family: system-ui, sans-serif; color: #1f2328; background: #f6f8fa; }
  body { margin: 0; padding: 16px; }
  header { display: flex; gap: 12px; align-items: center; flex-wrap: wrap; }
  h1 { font-size: 20px; margin: 0 12px 0 0; }
  .pill { padding: 2px 10px; border-radius: 12px; background: #ddf4ff; font-size: 13px; }
  .pill.bad { background: #ffebe9; }
  button { font-size: 14px; padding: 4px 12px; cursor: pointer; }
  .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 12px; margin: 12px 0; }
  .card { background: white; border: 1px solid #d0d7de; border-radius: 6px; padding: 10px 12px; }
  .card h2 { font-size: 13px; color: #57606a; margin: 0 0 6px; font-weight: 600; }
  .card div { font-variant-numeric: tabular-nums; font-size: 14px; line-height: 1.5; }
  table { border-collapse: collapse; width: 100%; font-size: 13px; font-variant-numeric: tabular-nums; }
  td, th { text-align: right; padding: 2px 6px; } th { color: #57606a; font-weight: 600; }
  td:first-child, th:first-child { text-align: left; }
  #chart { width: 100%; height: 380px; background: white; border: 1px solid #d0d7de; border-radius: 6px; }
  .buy { color: #1a7f37; } .sell { color: #cf222e; }
  #err { color: #cf222e; font-size: 13px; }
</style>
</head>
<body>
<header>
  <h1>mmbot</h1>
  <span class="pill" id="symbol">…</span>
  <span class="pill" id="state">…</span>
  <button id="pause">Pause</button>
  <button id="resume">Resume</button>
  <span id="err"></span>
</header>
<div class="grid">
  <div class="card"><h2>Market</h2><div>mid <b id="mid">–</b></div><div id="quotes">–</div></div>
  <div class="card"><h2>Balances</h2><div id="balances">–</div></div>
  <div class="card"><h2>Position</h2><div id="position">–</div></div>
  <div class="card"><h2>PnL</h2><div id="pnl">–</div></div>
  <div class="card"><h2>Indicators</h2><div id="indicators">–</div></div>
</div>
<svg id="chart" viewBox="0 0 1000 380" preserveAspectRatio="none" role="img" aria-label="recent candles with our bid and ask and fills"></svg>
<div class="grid">
  <div class="card"><h2>Active orders</h2><table id="orders"></table></div>
  <div class="card"><h2>Recent fills</h2><table id="fills"></table></div>
</div>
<script>
const $ = (id) => document.getElementById(id);
const f = (x, d = 2) => (x === null || x === undefined || !isFinite(x) ? "–" : Number(x).toFixed(d));
const esc = (s) => String(s).replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c]);
const time = (ts) => new Date(ts).toISOString().slice(11, 19);
// levels 1, 2, … of each side (strategy.levels), after level 0's bid and ask
const deeper = (q) => (q.bids || []).length > 1 || (q.asks || []).length > 1
  ? '<br><span id="levels">deeper levels: bids ' + q.bids.slice(1).map((x) => f(x.price)).join(", ") + " · asks " + q.asks.slice(1).map((x) => f(x.price)).join(", ") + "</span>"
  : "";

function chart(candles, quotes, fills) {
  const svg = $("chart");
  if (!candles.length) { svg.innerHTML = '<text x="20" y="30">waiting for candles…</text>'; return; }
  const W = 1000, H = 380, L = 60, R = 10, T = 10, B = 24;
  const t0 = candles[0].ts, t1 = Math.max(candles[candles.length - 1].ts + 60000, ...quotes.map((q) => q.ts));
  const prices = candles.flatMap((c) => [c.high, c.low])
    .concat(quotes.flatMap((q) => [q.bid, q.ask]).filter((p) => p !== null));
  let lo = Math.min(...prices), hi = Math.max(...prices);
  if (!(hi > lo)) { lo -= 1; hi += 1; }
  const x = (t) => L + (t - t0) / (t1 - t0) * (W - L - R);
  const y = (p) => T + (hi - p) / (hi - lo) * (H - T - B);
  const w = Math.max(1, (W - L - R) / ((t1 - t0) / 60000) * 0.7);
  const parts = [];
  for (const c of candles) {
    const up = c.close >= c.open, col = up ? "#1a7f37" : "#cf222e";
    parts.push('<line x1="' + (x(c.ts) + w / 2) + '" x2="' + (x(c.ts) + w / 2) + '" y1="' + y(c.high) + '" y2="' + y(c.low) + '" stroke="' + col + '"/>');
    parts.push('<rect class="candle" x="' + x(c.ts) + '" width="' + w + '" y="' + y(Math.max(c.open, c.close)) + '" height="' + Math.max(1, Math.abs(y(c.open) - y(c.close))) + '" fill="' + col + '"/>');
  }
  const line = (key, col) => {
    const pts = quotes.filter((q) => q[key] !== null && q.ts >= t0).map((q) => x(q.ts) + "," + y(q[key]));
    if (pts.length) parts.push('<polyline class="quote-' + key + '" points="' + pts.join(" ") + '" fill="none" stroke="' + col + '" stroke-width="1.5" stroke-dasharray="4 2"/>');
  };
  line("bid", "#0969da"); line("ask", "#bf8700");
  for (const fl of fills.filter((fl) => fl.ts >= t0)) {
    const cx = x(fl.ts), cy = y(fl.price);
    parts.push(fl.side === "buy"
      ? '<path class="fill-marker" d="M' + (cx - 5) + "," + (cy + 5) + "L" + (cx + 5) + "," + (cy + 5) + "L" + cx + "," + (cy - 5) + 'Z" fill="#1a7f37"/>'
      : '<path class="fill-marker" d="M' + (cx - 5) + "," + (cy - 5) + "L" + (cx + 5) + "," + (cy - 5) + "L" + cx + "," + (cy + 5) + 'Z" fill="#cf222e"/>');
  }
  parts.push('<text x="4" y="' + (T + 10) + '" font-size="11">' + f(hi) + '</text><text x="4" y="' + (H - B) + '" font-size="11">' + f(lo) + "</text>");
  parts.push('<text x="' + L + '" y="' + (H - 6) + '" font-size="11">' + time(t0) + '</text><text x="' + (W - R - 50) + '" y="' + (H - 6) + '" font-size="11">' + time(t1) + "</text>");
  parts.push('<text x="' + (W - 170) + '" y="22" font-size="12" fill="#0969da">— our bid</text><text x="' + (W - 90) + '" y="22" font-size="12" fill="#bf8700">— our ask</text>');
  svg.innerHTML = parts.join("");
}

/** Off loopback the data needs HTTP_TOKEN too: asked once per tab, kept in sessionStorage. */
let asked = false;
async function refresh() {
  try {
    const token = sessionStorage.getItem("mmbot-token");
    const res = await fetch("/api/dashboard", token ? { headers: { Authorization: "Bearer " + token } } : {});
    if (res.status === 401) {
      sessionStorage.removeItem("mmbot-token");
      const t = asked ? null : prompt("HTTP_TOKEN of the bot (needed to read it off loopback)");
      asked = true;
      if (t) sessionStorage.setItem("mmbot-token", t);
      $("err").textContent = "the bot needs its HTTP_TOKEN to show its data";
      return;
    }
    const d = await res.json();
    const s = d.status;
    $("err").textContent = "";
    $("symbol").textContent = s.symbol + " · " + s.marketType + " · " + s.profile + " · " + s.mode;
    $("state").textContent = s.state.replace("_", " ") + (s.detail ? ": " + s.detail : "");
    $("state").className = "pill" + (s.state === "quoting" ? "" : " bad");
    $("mid").textContent = f(s.mid);
    const q = s.decision && s.decision.action === "quote" ? s.decision : null;
    $("quotes").innerHTML = q
      ? "bid <b>" + f(q.bid && q.bid.price) + "</b> (" + f(q.figures.bidDistanceBps, 1) + " bp) · ask <b>" + f(q.ask && q.ask.price) + "</b> (" + f(q.figures.askDistanceBps, 1) + " bp)" + deeper(q) + "<br>reference " + f(q.figures.reference) + ", trend " + f(q.figures.trend, 3)
      : "not quoting";
    const inv = s.inventory || {};
    $("balances").innerHTML = s.marketType === "perp"
      ? "collateral/cash <b>" + f(inv.quote) + "</b>"
      : "base <b>" + f(inv.base, 4) + "</b><br>quote <b>" + f(inv.quote) + "</b><br>inventory ratio " + f(s.inventoryRatio, 3);
    const m = s.margin;
    $("position").innerHTML = s.pnl
      ? "size <b>" + f(s.pnl.base, 4) + "</b><br>entry (avg cost) <b>" + f(s.pnl.avgCost) + "</b><br>ratio " + f(s.inventoryRatio, 3) +
        (m ? '<br>liquidation <b id="liq">' + (m.liquidationPrice === null ? "none" : f(m.liquidationPrice)) + "</b>" + (m.liquidationPrice === null || m.liquidationDistancePct === null ? "" : m.liquidationDistancePct >= 0 ? " (" + f(m.liquidationDistancePct, 1) + " % away)" : ' (<span class="sell">past it by ' + f(-m.liquidationDistancePct, 1) + " %</span>)") + "<br>" + m.leverage + "x " + m.marginMode + (m.guarding ? ' · <span class="sell">guard: not adding</span>' : "") : "")
      : "–";
    $("pnl").innerHTML = s.pnl
      ? "total <b>" + f(s.pnl.pnl) + "</b><br>realized " + f(s.pnl.realized) + " · unrealized " + f(s.pnl.unrealized) + "<br>fees " + f(s.pnl.fees, 4) + " · fills " + s.pnl.fills + (m ? '<br>funding <b id="funding">' + f(s.pnl.funding, 4) + "</b>" : "") + "<br>drawdown " + f(s.pnl.drawdownPct, 2) + " %"
      : "–";
    const ind = s.indicators;
    $("indicators").innerHTML = "NATR <b>" + f(ind.natr, 4) + "</b> %<br>RSI " + f(ind.rsi, 1) + "<br>MACD hist " + f(ind.macd && ind.macd.histogram, 4) + "<br>warm-up " + ind.count + "/" + ind.required;
    $("orders").innerHTML = "<tr><th>side</th><th>level</th><th>price</th><th>amount</th><th>filled</th></tr>" +
      s.openOrders.slice().sort((a, b) => a.side.localeCompare(b.side) || (a.level || 0) - (b.level || 0)).map((o) => '<tr><td class="' + o.side + '">' + o.side + "</td><td>" + (o.level || 0) + "</td><td>" + f(o.price) + "</td><td>" + o.amount + "</td><td>" + o.filled + "</td></tr>").join("");
    $("fills").innerHTML = "<tr><th>time</th><th>side</th><th>price</th><th>amount</th><th>fee</th></tr>" +
      d.fills.slice(-8).reverse().map((x) => "<tr><td>" + time(x.ts) + '</td><td class="' + x.side + '">' + x.side + "</td><td>" + f(x.price) + "</td><td>" + x.amount + "</td><td>" + f(x.feeQuote, 4) + "</td></tr>").join("");
    chart(d.candles, d.quotes, d.fills);
  } catch (e) {
    $("err").textContent = "cannot reach the bot: " + esc(e.message);
  }
}

async function control(action) {
  let token = sessionStorage.getItem("mmbot-token") || prompt("HTTP_TOKEN of the bot");
  if (!token) return;
  const res = await fetch("/api/" + action, { method: "POST", headers: { Authorization: "Bearer " + token } });
  if (res.status === 401) { sessionStorage.removeItem("mmbot-token"); $("err").textContent = action + ": wrong or missing token"; return; }
  sessionStorage.setItem("mmbot-token", token);
  refresh();
}
$("pause").onclick = () => control("pause");
$("resume").onclick = () => control("resume");
refresh();
setInterval(refresh, 2000);
</script>
</body>
</html>
`;
