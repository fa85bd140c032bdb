import { describe, expect, test } from "bun:test";
import { keepBalances, keepBook, newBook } from "../../lib/engine/gathered.ts";
import type { Inventory } from "../../lib/core/types.ts";

describe("the book and balances as the engine keeps them", () => {
  test("the venue's book written into the engine's record, the same record each tick", () => {
    const book = newBook();
    expect(keepBook(book, { ts: 1_000, bestBid: 2000.01, bestAsk: 2000.02 })).toBe(book);
    expect(book).toEqual({ ts: 1_000, bestBid: 2000.01, bestAsk: 2000.02 });
    keepBook(book, { ts: 16_000, bestBid: 1999.5, bestAsk: 1999.51 });
    expect(book).toEqual({ ts: 16_000, bestBid: 1999.5, bestAsk: 1999.51 });
  });

  test("spot balances stay base and quote only; a perp's fields are written once the venue answers with them", () => {
    const kept: Inventory = { base: NaN, quote: NaN };
    keepBalances(kept, { base: 1, quote: 3000 });
    expect(Object.keys(kept)).toEqual(["base", "quote"]);
    expect(kept).toEqual({ base: 1, quote: 3000 });
    keepBalances(kept, { base: 0, quote: 2900, position: -0.5, entryPrice: 2010, liquidationPrice: null });
    expect(kept).toEqual({ base: 0, quote: 2900, position: -0.5, entryPrice: 2010, liquidationPrice: null });
    keepBalances(kept, { base: 0, quote: 2950, position: 0.25, entryPrice: 1990, liquidationPrice: 1200 });
    expect([kept.position, kept.entryPrice, kept.liquidationPrice, kept.quote]).toEqual([0.25, 1990, 1200, 2950]);
    keepBalances(kept, { base: 0, quote: 3000 }); // a flat answer without them: none left over from before
    expect(kept.position ?? null).toBeNull();
    expect(kept.entryPrice ?? null).toBeNull();
    expect(kept.liquidationPrice ?? null).toBeNull();
  });

  test("a live perp venue's unrealized PnL is kept, and not carried into an answer without it", () => {
    const kept: Inventory = { base: NaN, quote: NaN };
    keepBalances(kept, { base: 0, quote: 2900, position: 0.5, entryPrice: 2000, unrealizedQuote: -12.5 });
    expect(kept.unrealizedQuote).toBe(-12.5);
    keepBalances(kept, { base: 0, quote: 2900, position: 0.5, entryPrice: 2000, unrealizedQuote: 4 });
    expect(kept.unrealizedQuote).toBe(4);
    keepBalances(kept, { base: 0, quote: 2904 }); // closed: the venue says nothing of it any more
    expect(kept.unrealizedQuote ?? null).toBeNull();
  });
});
