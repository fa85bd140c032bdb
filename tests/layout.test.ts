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

describe("layout (DESIGN §1)", () => {
  test("every file under lib/ sits in one of the concern folders", () => {
    expect(libFiles.filter((f) => !(folderOf(f) in LEVEL))).toEqual([]);
  });

  test("imports point only down the chain, never up or sideways", () => {
    const wrong: string[] = [];
    for (const file of libFiles) {
      const from = folderOf(file);
      for (const spec of specifiers(readFileSync(file, "utf8"))) {
        if (!spec.startsWith(".")) continue;
        const to = folderOf(normalize(join(dirname(file), spec)));
        const ok = to === from || from === "app" || LEVEL[to] < LEVEL[from];
        if (!ok) wrong.push(`${file} → ${spec}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  test("lib/core imports nothing that does I/O and touches no runtime", () => {
    const pure = new Set(["trading-signals"]);
    const wrong: string[] = [];
    for (const file of libFiles.filter((f) => folderOf(f) === "core")) {
      const text = readFileSync(file, "utf8");
      for (const spec of specifiers(text)) {
        if (!spec.startsWith("./") && !pure.has(spec)) wrong.push(`${file} imports ${spec}`);
      }
      if (/\b(Deno|Bun|process|fetch|performance)\s*[.(]/.test(text)) wrong.push(`${file} touches the runtime`);
    }
    expect(wrong).toEqual([]);
  });

  test("no file under lib/ is over 350 lines", () => {
    const long = libFiles
      .map((f) => [f, readFileSync(f, "utf8").split("\n").length - 1] as const)
      .filter(([, n]) => n > 350);
    expect(long).toEqual([]);
  });

  test("the checker itself sees a wrong import (it can fail)", () => {
    const spec = specifiers(
      `import { Engine } from "../engine/engine.ts";\nconst x = await import("../http/serve.ts");`,
    );
    expect(spec).toEqual(["../engine/engine.ts", "../http/serve.ts"]);
    const to = folderOf(normalize(join("lib/core", spec[0])));
    expect(LEVEL[to] < LEVEL.core).toBe(false);
  });
});
