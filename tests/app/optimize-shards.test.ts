/**
 * `optimize --shard I/N` and `--merge` as a user runs them (lib/app/optimize-shards.ts): real processes on the bundled
 * sample; the merged report's choice equals one run's; parts of different searches and bad shards exit 2, one line.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const SAMPLE = "data/binance_spot_ETHUSDT_1m_sample.csv";
const SEARCH = ["--data", SAMPLE, "--trials", "5", "--folds", "1", "--seed", "3", "--min-fills", "1", "--workers", "1"];
const dir = mkdtempSync(join(tmpdir(), "mmbot-opt-shards-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const optimize = (args: string[], runtime: "deno" | "bun" = "deno") =>
  spawnSync(
    runtime,
    runtime === "deno" ? ["run", "-q", "-P", "mod.ts", "optimize", ...args] : ["mod.ts", "optimize", ...args],
    {
      encoding: "utf8",
      timeout: 120_000,
    },
  );
const ok = (r: ReturnType<typeof optimize>) => {
  expect({ status: r.status, stderr: r.status ? r.stderr : "" }).toEqual({ status: 0, stderr: "" });
  return r;
};
/** Exit 2 with one line on stderr that contains `text`. */
const refused = (r: ReturnType<typeof optimize>, text: string) => {
  expect(r.status).toBe(2);
  const lines = r.stderr.trim().split("\n");
  expect(lines.length).toBe(1);
  expect(lines[0]).toContain(text);
};
const report = (path: string) => JSON.parse(readFileSync(path, "utf8"));
const choice = (r: Record<string, unknown>) => {
  const { command: _c, workers: _w, elapsed_s: _e, profile_path: _p, ...rest } = r;
  return rest;
};

describe("optimize over shards", () => {
  test("two shards (one on Deno, one on Bun) merged: the report and the profile's choice are one run's", () => {
    ok(optimize([...SEARCH, "--json", join(dir, "one.json")]));
    ok(optimize([...SEARCH, "--shard", "0/2", "--json", join(dir, "part-0.json")]));
    ok(optimize([...SEARCH, "--shard", "1/2", "--json", join(dir, "part-1.json")], "bun"));
    const merged = ok(
      optimize(["--merge", join(dir, "part-1.json"), join(dir, "part-0.json"), "--json", join(dir, "m.json")]),
    );
    const one = report(join(dir, "one.json")), m = report(join(dir, "m.json"));
    expect(one.candidates).toBe(6);
    expect(choice(m)).toEqual(choice(one));
    // the profile written by the merge holds the same parameters (its first comment line names the command)
    const body = (p: string) => readFileSync(p, "utf8").split("\n").filter((l) => !l.includes("chosen by")).join("\n");
    expect(body(join(dir, "m.yml"))).toBe(body(join(dir, "one.yml")));
    expect(merged.stdout).toContain(`best (candidate ${one.best.candidate})`);
  }, 60_000); // five optimize processes: seconds each, more on a loaded machine

  test("with --mirror (another objective) too: the parts carry it and the merge reports as the mirrored run", () => {
    const mirror = [...SEARCH, "--mirror"];
    ok(optimize([...mirror, "--json", join(dir, "mone.json")]));
    for (const i of [0, 1, 2]) ok(optimize([...mirror, "--shard", `${i}/3`, "--json", join(dir, `mpart-${i}.json`)]));
    ok(optimize(["--merge", ...[0, 1, 2].map((i) => join(dir, `mpart-${i}.json`)), "--json", join(dir, "mm.json")]));
    const one = report(join(dir, "mone.json")), m = report(join(dir, "mm.json"));
    expect(one.objective.mirror).toBe(true);
    expect(one.best.holdout.edge_pct).toBeNumber(); // scored mirrored, not plain
    expect(choice(m)).toEqual(choice(one));
  }, 60_000); // five optimize processes, each run and mirror

  test("parts of different searches are refused with what differs; a missing shard too", () => {
    ok(optimize([...SEARCH, "--min-fills", "2", "--shard", "1/2", "--json", join(dir, "other-1.json")]));
    refused(
      optimize(["--merge", join(dir, "part-0.json"), join(dir, "other-1.json")]),
      'different searches: they differ in the options: objective ({"drawdownWeight":0.5,"minFills":1,',
    );
    ok(optimize([...SEARCH, "--mirror", "--shard", "1/2", "--json", join(dir, "mirror-1.json")]));
    refused(optimize(["--merge", join(dir, "part-0.json"), join(dir, "mirror-1.json")]), '"mirror":true');
    refused(optimize(["--merge", join(dir, "part-0.json")]), "missing shard 1/2");
    refused(optimize(["--merge", join(dir, "nope.json")]), "nope.json: not readable as an optimize part");
  }, 60_000); // six optimize processes, two of them searches (~1.5 s each idle; it ran past 5 s under load)

  test("bad --shard and --merge arguments: exit 2, one line naming what is allowed", () => {
    refused(optimize([...SEARCH, "--shard", "2/2", "--json", join(dir, "x.json")]), "must be I/N with 0 ≤ I < N");
    refused(optimize([...SEARCH, "--shard", "0/2"]), "--shard needs --json PART");
    refused(optimize(["--merge"]), "--merge needs the part files");
    refused(optimize(["--merge", join(dir, "part-0.json"), ...SEARCH]), "--merge takes part files only");
    refused(optimize([...SEARCH, "stray.json"]), 'unexpected argument "stray.json"');
  }, 30_000); // five processes refused at start (~0.5 s each idle)
});
