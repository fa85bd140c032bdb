/**
 * Limits on a config file read before and while it is parsed: its size and depth (checked on the raw text, in linear
 * time) and numbers written other than in decimal.
 */
import YAML from "yaml";

/**
 * Limits on the config file's shape, checked on the raw text. The schema has about 70 keys at most three levels
 * deep (config.yml, comments and all, is under 8 KB); a file far beyond that is a mistake or an attack, and the YAML
 * parser's duplicate-key check grows with the square of the keys in one mapping (40,000 keys: 11 s).
 */
const MAX_CONFIG_BYTES = 256 * 1024;
const MAX_CONFIG_LINES = 4000;
const MAX_CONFIG_DEPTH = 16;
/**
 * At most this many `:` outside comments: every key needs one, so this bounds the keys in any spelling (block,
 * one-line flow mapping, JSON) before the parser's quadratic duplicate-key check sees them (2,000 keys in one mapping:
 * ~40 ms; 33,000 on one line under the size limit took 12 s). A URL's or a time's colons count too: still far below.
 */
const MAX_CONFIG_COLONS = 2000;

/** Why the text is too large or too deep to be a configuration, or null; linear in its length. */
export function shapeProblem(text: string): string | null {
  if (text.length > MAX_CONFIG_BYTES) {
    return `${text.length} characters is too large for a configuration (at most ${MAX_CONFIG_BYTES}); refused unread`;
  }
  let lines = 1, depth = 0, deepest = 0, indentDeepest = 0, col = 0, atStart = true, colons = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 10) {
      lines++, col = 0, atStart = true;
      continue;
    }
    if (atStart && ch === 32) col++;
    else if (atStart) {
      atStart = false;
      indentDeepest = Math.max(indentDeepest, col);
    }
    if (ch === 35 && (i === 0 || text.charCodeAt(i - 1) <= 32)) { // a comment: its brackets are words
      while (i + 1 < text.length && text.charCodeAt(i + 1) !== 10) i++;
      continue;
    }
    if (ch === 58) colons++; // :
    else if (ch === 91 || ch === 123) deepest = Math.max(deepest, ++depth); // [ {
    else if (ch === 93 || ch === 125) depth = Math.max(0, depth - 1); // ] }
  }
  if (lines > MAX_CONFIG_LINES) {
    return `${lines} lines is too large for a configuration (at most ${MAX_CONFIG_LINES}); refused unread`;
  }
  if (colons > MAX_CONFIG_COLONS) {
    return `${colons} colons (one a key) is more keys than a configuration has (at most ${MAX_CONFIG_COLONS}); refused unread`;
  }
  if (deepest > MAX_CONFIG_DEPTH || indentDeepest > 2 * MAX_CONFIG_DEPTH) {
    return `nested deeper than a configuration can be (at most ${MAX_CONFIG_DEPTH} levels); refused unread`;
  }
  return null;
}

/** Numbers written other than in decimal (YAML reads 0x10 as 16, 0o20 as 16): each reported with its line. */
export function notDecimal(doc: YAML.Document, lines: YAML.LineCounter, source: string, problems: string[]): boolean {
  let found = false;
  YAML.visit(doc, {
    Scalar(_, node) {
      if (typeof node.value !== "number" || !/^(HEX|OCT|BIN)$/.test(String(node.format ?? ""))) return;
      found = true;
      const line = node.range ? lines.linePos(node.range[0]).line : "?";
      problems.push(
        `${source}: line ${line}: ${
          (node as { source?: string }).source ?? node.value
        } is not allowed; write numbers in decimal (${node.value})`,
      );
    },
  });
  return found;
}
