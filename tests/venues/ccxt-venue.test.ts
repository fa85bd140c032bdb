/**
 * Building the ccxt exchange object: only the configured exchange's class is imported (not ccxt's index, which
 * loads all ~100 exchanges), and the error classes used to classify failures are ccxt's own.
 */
import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { createVenue, loadCcxtErrors } from "../../lib/venues/ccxt-venue.ts";
import { ConfigError } from "../../lib/config/validate.ts";
import { KEYS, PERP } from "../fakes/binance.ts";
import { config } from "../fixtures.ts";

/**
 * Which of ccxt's exchange files (and its index, `ccxt.js`) a fresh Bun process loads while it builds the
 * venue, seen by a Bun loader plugin; `before` runs first (to show the probe sees the index when it is loaded).
 */
function ccxtFilesLoaded(sets: string[], before = ""): string[] {
  const script = `
    import { plugin } from "bun";
    import { readFileSync } from "node:fs";
    const loaded = [];
    plugin({ name: "probe", setup(b) {
      b.onLoad({ filter: /ccxt[\\\\/]js[\\\\/](ccxt|src[\\\\/][a-z0-9]+)\\.js$/ }, (a) => {
        loaded.push(a.path.replace(/^.*[\\\\/]js[\\\\/]/, "").replace(/\\\\/g, "/"));
        return { contents: readFileSync(a.path, "utf8"), loader: "js" };
      });
    } });
    const { createVenue } = await import("./lib/venues/ccxt-venue.ts");
    const { config } = await import("./tests/fixtures.ts");
    ${before}
    const { venue } = await createVenue(config(...${JSON.stringify(sets)}), { trading: false });
    console.log(JSON.stringify({ id: venue.id, loaded }));
  `;
  const r = spawnSync("bun", ["-e", script], { encoding: "utf8", timeout: 60_000 });
  if (r.status !== 0) throw new Error(`probe failed (${r.status}): ${r.stderr}`);
  const out = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as { id: string; loaded: string[] };
  expect(out.id).toBe(sets.find((s) => s.startsWith("market.exchange="))?.split("=")[1] ?? "binance");
  return out.loaded.sort();
}

describe("createVenue imports one exchange class", () => {
  test("spot binance loads src/binance.js and no other exchange, nor ccxt's index", () => {
    expect(ccxtFilesLoaded(["feed.source=live"])).toEqual(["src/binance.js"]);
  });

  test("binanceusdm loads its own class and the binance class it extends", () => {
    expect(ccxtFilesLoaded(["feed.source=live", ...PERP])).toEqual(["src/binance.js", "src/binanceusdm.js"]);
  });

  test("the probe can fail: with ccxt's index imported it sees the index and every exchange", () => {
    const loaded = ccxtFilesLoaded(["feed.source=live"], `await import("ccxt");`);
    expect(loaded).toContain("ccxt.js");
    expect(loaded).toContain("src/kraken.js");
    expect(loaded.length).toBeGreaterThan(50);
  });

  test("a name that is not a ccxt exchange id is a ConfigError naming market.exchange", async () => {
    for (const id of ["nope", "../base/errors", "Binance"]) {
      const cfg = config("feed.source=live", `market.exchange=${id}`);
      const err = await createVenue(cfg, { trading: false }).catch((e) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect(String(err.message)).toContain(`market.exchange: ${JSON.stringify(id)} is not a ccxt exchange id`);
    }
  });
});

describe("error classes", () => {
  test("loadCcxtErrors gives the very classes ccxt's index exports", async () => {
    const errors = await loadCcxtErrors();
    const ccxt = await import("ccxt");
    for (const name of ["NetworkError", "OrderNotFound", "DDoSProtection", "AuthenticationError"] as const) {
      expect(errors[name]).toBe(ccxt[name]);
    }
  });

  test("an error thrown by the loaded exchange class is an instance of the loaded classes", async () => {
    const errors = await loadCcxtErrors();
    const { venue } = await createVenue(config("mode=live", "feed.source=live"), { trading: true, secrets: KEYS });
    let thrown: unknown = null;
    try {
      venue.market("ETH/USDT"); // markets not loaded yet: ccxt throws its ExchangeError
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(errors.ExchangeError);
    expect(thrown).not.toBeInstanceOf(errors.NetworkError);
  });
});
