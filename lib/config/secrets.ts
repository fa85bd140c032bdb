/** Secrets come from the environment only: never from the config, never printed (presence only). */
import { ConfigError } from "./validate.ts";

const show = (v: unknown) => (typeof v === "string" ? JSON.stringify(v) : String(v));

/** Secrets, from the environment only. */
export interface Secrets {
  telegramBotToken?: string;
  telegramAllowedUsers: number[];
  exchangeApiKey?: string;
  exchangeApiSecret?: string;
  httpToken?: string;
}

export const SECRET_NAMES = [
  "TELEGRAM_BOT_TOKEN",
  "TELEGRAM_ALLOWED_USERS",
  "EXCHANGE_API_KEY",
  "EXCHANGE_API_SECRET",
  "HTTP_TOKEN",
] as const;

/** Reads secrets from an environment map; throws ConfigError for malformed ones. */
export function loadSecrets(env: Record<string, string | undefined>): Secrets {
  const get = (name: string) => (env[name]?.trim() ? env[name]!.trim() : undefined);
  const problems: string[] = [];
  const users: number[] = [];
  for (const part of (get("TELEGRAM_ALLOWED_USERS") ?? "").split(",").map((s) => s.trim()).filter(Boolean)) {
    if (/^\d{1,15}$/.test(part)) users.push(Number(part));
    else {problems.push(
        `TELEGRAM_ALLOWED_USERS: ${show(part)} is not allowed; must be numeric Telegram user ids, comma separated`,
      );}
  }
  if (problems.length) throw new ConfigError(problems);
  return {
    telegramBotToken: get("TELEGRAM_BOT_TOKEN"),
    telegramAllowedUsers: users,
    exchangeApiKey: get("EXCHANGE_API_KEY"),
    exchangeApiSecret: get("EXCHANGE_API_SECRET"),
    httpToken: get("HTTP_TOKEN"),
  };
}
