/**
 * The layout of DESIGN §1, checked: imports point only down the chain
 * `control | http → lab → engine → venues | storage → config → core` (composition in lib/app may
 * import any of them), lib/core does no I/O, and no file under lib/ grows past 350 lines.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";

const LEVEL: Record<string, number> = {
  core: 0,
  config: 1,
  venues: 2,
  storage: 2,
  engine: 3,
  lab: 4,
  control: 5,
  http: 5,
  app: 6,
};

const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []
  );

const libFiles = files("lib");
const folderOf = (path: string) => relative("lib", path).split("/")[0];
/** every module specifier: static imports and re-exports, dynamic `import()` and `typeof import()` */
const specifiers = (text: string) =>
  [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^import\s+)["']([^"']+)["']/gm)].map((m) => m[1]);

/** Anything in lib/core that would read the runtime, the network, a clock or a timer. */
const RUNTIME = /\b(Deno|Bun|process|fetch|performance)\s*[.(]|\bDate\.now\(|new Date\(\s*\)|\bset(Timeout|Interval)\(/;

/** Imports of `file` (in lib/) that point up or sideways in the chain. */
function wrongImports(file: string, text: string): string[] {
  const from = folderOf(file);
  return specifiers(text)
    .filter((spec) => spec.startsWith("."))
    .filter((spec) => {
      const to = folderOf(normalize(join(dirname(file), spec)));
      return !(to === from || from === "app" || LEVEL[to] < LEVEL[from]);
    })
    .map((spec) => `${file} → ${spec}`);
}

describe("layout (DESIGN §1)", () => {
  test("every file under lib/ sits in one of the concern folders", () => {
    expect(libFiles.filter((f) => !(folderOf(f) in LEVEL))).toEqual([]);
  });

  test("imports point only down the chain, never up or sideways", () => {
    expect(libFiles.flatMap((file) => wrongImports(file, readFileSync(file, "utf8")))).toEqual([]);
  });

  test("lib/core imports nothing that does I/O and touches no runtime", () => {
    const pure = new Set(["trading-signals"]);
    const wrong: string[] = [];
    for (const file of libFiles.filter((f) => folderOf(f) === "core")) {
      const text = readFileSync(file, "utf8");
      for (const spec of specifiers(text)) {
        if (!spec.startsWith("./") && !pure.has(spec)) wrong.push(`${file} imports ${spec}`);
      }
      // the one timer helper (core/sleep.ts) may set a timeout; nothing in core reads a clock or the runtime
      const runtime = file.endsWith("/sleep.ts")
        ? /\b(Deno|Bun|process|fetch|performance)\s*[.(]|\bDate\.now\(/
        : RUNTIME;
      if (runtime.test(text)) wrong.push(`${file} touches the runtime`);
    }
    expect(wrong).toEqual([]);
  });

  test("no file under lib/ is over 350 lines", () => {
    const long = libFiles
      .map((f) => [f, readFileSync(f, "utf8").split("\n").length - 1] as const)
      .filter(([, n]) => n > 350);
    expect(long).toEqual([]);
  });

  test("the checkers see what they must refuse (they can fail)", () => {
    const text = `import { Engine } from "../engine/engine.ts";\nconst x = await import("../http/serve.ts");`;
    expect(specifiers(text)).toEqual(["../engine/engine.ts", "../http/serve.ts"]);
    // up the chain from core, sideways from venues to storage: both refused
    expect(wrongImports("lib/core/quoting.ts", text)).toEqual([
      "lib/core/quoting.ts → ../engine/engine.ts",
      "lib/core/quoting.ts → ../http/serve.ts",
    ]);
    expect(wrongImports("lib/venues/paper.ts", `import { Ledger } from "../storage/ledger.ts";`)).toEqual([
      "lib/venues/paper.ts → ../storage/ledger.ts",
    ]);
    // down the chain, and anything from lib/app: allowed
    expect(wrongImports("lib/http/routes.ts", text)).toEqual([]);
    expect(wrongImports("lib/app/open.ts", `import { x } from "../control/telegram.ts";`)).toEqual([]);
    expect(RUNTIME.test("const t = setTimeout(f, 5);")).toBe(true);
    expect(RUNTIME.test("const n = Date.now();")).toBe(true);
    expect(RUNTIME.test("new Date(ts).toISOString()")).toBe(false); // formatting a given time reads no clock
  });
});
