/** Runs the bot as a real child process for end-to-end tests. */
import { spawn } from "node:child_process";
import { SECRET_NAMES } from "../lib/config/secrets.ts";
import { SEED } from "./fixtures.ts";

const SECRETS: readonly string[] = SECRET_NAMES;

/** Starts `deno run -P mod.ts …`; resolves with its exit code and output once it exits. */
export function start(args: string[], env: Record<string, string> = {}) {
  // the seed spreads (tests/fixtures.ts SEED): the tuned defaults quote wider and fill rarely on the bundled sample,
  // and these tests need fills within seconds of replay; a test's own --set still wins
  const seed = SEED.flatMap((s) => ["--set", s]);
  const child = spawn("deno", ["run", "-P", "mod.ts", "--set", "http.port=0", ...seed, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    // the bot under test sees no secrets from the developer's shell
    env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !SECRETS.includes(k))), ...env },
  });
  let stdout = "", stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const waitFor = async (text: string, ms = 20_000) => {
    const until = Date.now() + ms;
    while (!stdout.includes(text)) {
      if (Date.now() > until) throw new Error(`no "${text}" within ${ms} ms; stdout:\n${stdout}\nstderr:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { child, exited, waitFor, out: () => stdout, err: () => stderr };
}
