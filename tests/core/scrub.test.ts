import { describe, expect, test } from "bun:test";
import { scrubber, scrubUrls } from "../../lib/core/scrub.ts";

// what ccxt puts in a NetworkError for a signed Binance call (key and signature made up)
const SIGNED =
  "binance GET https://api.binance.com/api/v3/openOrders?timestamp=1732550000000&recvWindow=10000&signature=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 request timed out (10000 ms)";

describe("scrubbing secrets and signatures", () => {
  test("a signed request URL loses its query string: no timestamp, no signature", () => {
    const out = scrubUrls(SIGNED);
    expect(out).toBe(
      "binance GET https://api.binance.com/api/v3/openOrders?<redacted> request timed out (10000 ms)",
    );
    expect(out).not.toContain("9f86d081");
  });

  test("signature= and key parameters outside a URL are masked too", () => {
    expect(scrubUrls('{"signature=abc123def","apiKey=XYZ"}')).toBe('{"signature=<redacted>","apiKey=<redacted>"}');
    expect(scrubUrls("token=123456:AAFF&x=1")).toBe("token=<redacted>&x=1");
  });

  test("the bot's own secret values are replaced wherever they appear", () => {
    const scrub = scrubber({
      telegramBotToken: "123456789:AAHfiqksKZ8WmR2zSjiQ7_v4TMAKdiHm9T0",
      exchangeApiKey: "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A",
      exchangeApiSecret: undefined,
      telegramAllowedUsers: [4242],
    });
    const text =
      "GrammyError: Call to 'getMe' failed! (bot123456789:AAHfiqksKZ8WmR2zSjiQ7_v4TMAKdiHm9T0) key vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A refused";
    expect(scrub(text)).toBe("GrammyError: Call to 'getMe' failed! (bot<redacted>) key <redacted> refused");
  });

  test("text without secrets is left alone", () => {
    expect(scrubber({ httpToken: "s3cret-token" })("fetchOrderBook: 503 Service Unavailable")).toBe(
      "fetchOrderBook: 503 Service Unavailable",
    );
  });
});
