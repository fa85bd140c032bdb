/**
 * The sampler of `optimize`: a seeded Latin hypercube over the search space.
 *
 * Why not a library optimizer: npm has no well-kept Bayesian / TPE optimizer for JavaScript (the few
 * packages are unmaintained or a few hundred downloads), and each backtest is cheap enough that a space of
 * 4–6 keys is well covered by a few hundred points. A Latin hypercube spreads those points evenly along every
 * axis (each of the n slices of each key's range gets exactly one point), which plain random sampling does not.
 * The randomness comes from `pure-rand` (xoroshiro128+, a well-kept seeded generator): same seed, same points,
 * on Deno and Bun alike.
 */
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import type { Dimension } from "./space.ts";

/** n points in the unit cube [0, 1)^dims, one per slice of every axis, reproducible from `seed`. */
export function latinHypercube(n: number, dims: number, seed: number): number[][] {
  const rng = xoroshiro128plus(seed);
  const points = Array.from({ length: n }, () => new Array<number>(dims));
  for (let d = 0; d < dims; d++) {
    const slices = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) { // Fisher–Yates shuffle: which point takes which slice
      const j = uniformInt(rng, 0, i);
      [slices[i], slices[j]] = [slices[j], slices[i]];
    }
    for (let i = 0; i < n; i++) points[i][d] = (slices[i] + uniformFloat64(rng)) / n;
  }
  return points;
}

/** A unit-cube coordinate mapped onto a dimension: linear from lo to hi, integers rounded. */
export function scale(u: number, dim: Dimension): number {
  const x = dim.lo + u * (dim.hi - dim.lo);
  if (dim.integer) return Math.min(dim.hi, Math.max(dim.lo, Math.round(x)));
  // 6 significant digits: a profile YAML people can read, far finer than any effect on the result
  return Number(x.toPrecision(6));
}

/** `trials` candidate parameter sets (key → value) drawn from the space. */
export function sampleCandidates(space: Dimension[], trials: number, seed: number): Record<string, number>[] {
  return latinHypercube(trials, space.length, seed).map((point) =>
    Object.fromEntries(space.map((dim, d) => [dim.key, scale(point[d], dim)]))
  );
}
