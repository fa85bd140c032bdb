/**
 * Imported first by mod.ts, so it runs before any other module is evaluated: on Deno without the
 * permissions the bot needs (`deno run mod.ts`, no `-P`), a dependency would die at import with a
 * stack trace (`NotCapable: Requires env access`). Instead: in a terminal Deno asks for each one by
 * name; otherwise (or if one is refused) one line says what to type, and the process stops (exit 2).
 * Bun has no permission system: nothing to do.
 */
const NEEDED = [
  { name: "read", why: "config, data and ledger files" },
  { name: "write", why: "the ledger and reports" },
  { name: "net", why: "the exchange, Telegram, the HTTP server" },
  { name: "env", why: "secrets from the environment" },
  { name: "sys", why: "host name for the ledger lock" },
] as const;

const HINT = "mmbot needs permissions: run `deno run -P mod.ts …` (-P applies the permissions in deno.json) " +
  "or `deno task start`";

/** The names of the permissions not granted (after asking, where Deno can ask). */
export function missingPermissions(deno: typeof Deno, ask: boolean): string[] {
  const missing: string[] = [];
  for (const p of NEEDED) {
    const desc = { name: p.name } as Deno.PermissionDescriptor;
    let state = deno.permissions.querySync(desc).state;
    if (state === "prompt" && ask) state = deno.permissions.requestSync(desc).state;
    if (state !== "granted") missing.push(`${p.name} (${p.why})`);
  }
  return missing;
}

const deno = (globalThis as { Deno?: typeof Deno }).Deno;
if (deno && !("Bun" in globalThis)) {
  const missing = missingPermissions(deno, deno.stdin.isTerminal());
  if (missing.length) {
    console.error(`${HINT}; missing: ${missing.join(", ")}`);
    deno.exit(2);
  }
}
