/** Runs the bot as a real child process for end-to-end tests, and stops every one started whatever the outcome. */
import { type ChildProcess, spawn } from "node:child_process";
import { SECRET_NAMES } from "../lib/config/secrets.ts";
import { SEED, until } from "./fixtures.ts";

const SECRETS: readonly string[] = SECRET_NAMES;

/** Children started by `start` that may still run: `stopStarted` (each such test file's afterEach) ends them. */
const running = new Set<ChildProcess>();

/**
 * Starts `deno run -P mod.ts [command] …`; resolves with its exit code and output once it exits. A leading word
 * (`backtest`, `download`, …) stays the command; the test's flags follow the defaults below.
 */
export function start(args: string[], env: Record<string, string> = {}) {
  // the seed spreads (tests/fixtures.ts SEED): the tuned defaults quote wider and fill rarely on the bundled sample,
  // and these tests need fills within seconds of replay; a test's own --set still wins
  const seed = SEED.flatMap((s) => ["--set", s]);
  const command = args.length && !args[0].startsWith("-") ? [args[0]] : [];
  const rest = args.slice(command.length);
  const child = spawn("deno", ["run", "-P", "mod.ts", ...command, "--set", "http.port=0", ...seed, ...rest], {
    stdio: ["ignore", "pipe", "pipe"],
    // the bot under test sees no secrets from the developer's shell
    env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !SECRETS.includes(k))), ...env },
  });
  running.add(child);
  let stdout = "", stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) =>
    child.on("exit", (code) => {
      running.delete(child);
      resolve(code);
    })
  );
  const waitFor = (text: string, ms = 20_000) =>
    until(() => stdout.includes(text), () => `no "${text}"; stdout:\n${stdout}\nstderr:\n${stderr}`, ms);
  return { child, exited, waitFor, out: () => stdout, err: () => stderr };
}

/** Ends every child `start` began that still runs: SIGTERM, then SIGKILL after `graceMs`; waits for each exit. */
export async function stopStarted(graceMs = 5_000): Promise<void> {
  await Promise.all([...running].map((child) =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        running.delete(child);
        return resolve();
      }
      const kill = setTimeout(() => child.kill("SIGKILL"), graceMs);
      child.once("exit", () => {
        clearTimeout(kill);
        running.delete(child);
        resolve();
      });
      child.kill("SIGTERM");
    })
  ));
}
