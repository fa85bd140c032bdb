/** Dates on the command line (`--from`, `--to`): UTC days (`2025-01-01`) or ISO times, to the minute. */

/** ms since epoch of a UTC date or ISO time (no zone given: UTC), floored to the minute; null when unreadable. */
export function parseUtcDate(text: string): number | null {
  const t = text.trim();
  let ms: number;
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) ms = Date.parse(`${t}T00:00:00Z`);
  else if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(t)) {
    const iso = t.replace(" ", "T");
    ms = Date.parse(/(Z|[+-]\d{2}:?\d{2})$/.test(iso) ? iso : `${iso}Z`);
  } else return null;
  return Number.isFinite(ms) ? Math.floor(ms / 60_000) * 60_000 : null;
}

/** A one-line problem with --from / --to, or null: readable, from before to, neither in the future. */
export function rangeProblem(
  from: string | undefined,
  to: string | undefined,
  nowMs: number,
): { problem: string } | { fromTs: number; toTs: number } {
  if (from === undefined) return { problem: "--from DATE is required (a UTC day such as 2025-01-01, or an ISO time)" };
  const fromTs = parseUtcDate(from);
  if (fromTs === null) {
    return { problem: `--from ${JSON.stringify(from)}: not a date; give a UTC day (2025-01-01) or an ISO time` };
  }
  const nowMinute = Math.floor(nowMs / 60_000) * 60_000;
  const toTs = to === undefined ? nowMinute : parseUtcDate(to);
  if (toTs === null) {
    return { problem: `--to ${JSON.stringify(to)}: not a date; give a UTC day (2025-01-01) or an ISO time` };
  }
  if (fromTs >= nowMinute) return { problem: `--from ${from}: is in the future (now is ${iso(nowMs)})` };
  if (toTs > nowMinute) return { problem: `--to ${to}: is in the future (now is ${iso(nowMs)}); leave it out for now` };
  if (fromTs >= toTs) return { problem: `--from ${from} is not before --to ${to ?? "(now)"}; --to is exclusive` };
  return { fromTs, toTs };
}

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace("T", " ") + " UTC";
