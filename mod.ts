/** mmbot entrypoint: command line, configuration, wiring, shutdown. */
import process from "node:process";
import { loadConfig, parseCli, USAGE } from "./lib/cli.ts";
import { ConfigError, describeSecrets, loadSecrets } from "./lib/config.ts";

function fail(e: unknown): never {
  if (e instanceof ConfigError) {
    console.error(`mmbot: configuration rejected (${e.problems.length} problem${e.problems.length > 1 ? "s" : ""}):`);
    for (const p of e.problems) console.error(`  - ${p}`);
    process.exit(2);
  }
  console.error(`mmbot: ${(e as Error)?.stack ?? e}`);
  process.exit(1);
}

async function main() {
  const cli = parseCli(process.argv.slice(2));
  if (cli.help) {
    console.log(USAGE);
    return;
  }
  const config = loadConfig(cli.configPath, cli.sets);
  const secrets = loadSecrets(process.env);
  console.log(
    `mmbot: ${config.mode} ${config.market.symbol} (${config.market.type}), profile ${config.strategy.profile}; secrets ${
      JSON.stringify(describeSecrets(secrets))
    }`,
  );
  await Promise.resolve();
}

if (import.meta.main) main().catch(fail);
