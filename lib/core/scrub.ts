/**
 * Scrubbing: secrets and request signatures never reach a log line, an alert, the status or a
 * metric (DESIGN §12). ccxt's error messages can carry the signed request URL (timestamp, HMAC
 * signature, sometimes the key): every query string is cut, and every known secret value replaced.
 */

const REDACTED = "<redacted>";

/** Cuts query strings off URLs and masks signature / key parameters anywhere in `text`. */
export function scrubUrls(text: string): string {
  return text
    .replace(/(https?:\/\/[^\s"'?]+)\?[^\s"']*/g, `$1?${REDACTED}`)
    .replace(/\b(signature|apiKey|api_key|X-MBX-APIKEY|secret|token)=([^&\s"']+)/gi, `$1=${REDACTED}`);
}

/** A scrubber for these secrets: their values are replaced wherever they appear, then URLs are cut. */
export function scrubber(secrets: object): (text: string) => string {
  const values = Object.values(secrets)
    .filter((v): v is string => typeof v === "string" && v.length >= 6)
    .sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const v of values) out = out.split(v).join(REDACTED);
    return scrubUrls(out);
  };
}
