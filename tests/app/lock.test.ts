/** One bot per ledger, whatever the spelling of its path: a second bot through a symlink, `./` or `..` is refused. */
import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { start } from "../process.ts";

describe("the ledger lock sees through the spelling of the path", () => {
  test(
    "a running bot; a second one via a symlink, ./ and .. each exits 2 naming the first, which goes on quoting",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "mmbot-spell-"));
      const path = join(dir, "ledger.sqlite");
      mkdirSync(join(dir, "sub"));
      symlinkSync(path, join(dir, "alias.sqlite"));
      const first = start(["--set", "feed.speed=60", "--set", `storage.path=${path}`]);
      try {
        await first.waitFor("| bid ");
        for (const spelling of [join(dir, "alias.sqlite"), `${dir}/./ledger.sqlite`, `${dir}/sub/../ledger.sqlite`]) {
          const r = spawnSync("deno", [
            "run",
            "-P",
            "mod.ts",
            "--set",
            `storage.path=${spelling}`,
            "--set",
            "http.port=0",
          ], {
            encoding: "utf8",
            timeout: 60_000,
            env: { ...process.env, TELEGRAM_BOT_TOKEN: "" },
          });
          expect({ spelling, status: r.status }).toEqual({ spelling, status: 2 });
          expect(r.stderr).toContain(
            `mmbot: cannot use the ledger, not trading: storage.path ${spelling} is in use by another mmbot (pid ${first.child.pid} `,
          );
          expect(r.stdout).not.toContain("account #"); // refused before it opened an account
        }
        expect(first.child.exitCode).toBeNull();
        // and it goes on quoting: one more quote line than before the refusals
        const quotes = first.out().split("| bid ").length;
        const t0 = Date.now();
        while (first.out().split("| bid ").length === quotes) {
          if (Date.now() - t0 > 30_000) throw new Error(`the first bot stopped quoting:\n${first.out()}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      } finally {
        first.child.kill("SIGTERM");
        await first.exited;
        rmSync(dir, { recursive: true, force: true });
      }
      expect(first.out()).toContain("mmbot: stopped; cancelled");
    },
    120_000,
  );
});
