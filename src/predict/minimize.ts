// Nelder–Mead simplex minimisation, for the models' maximum-likelihood fits (a handful of parameters,
// smooth likelihoods). Written here because the one packaged version on npm ships a plotting library too.

/**
 * How far the fits search on the log scale: parameters between e^-25 and e^25 (7·10^10, room for any
 * spend in minor units). Beyond that a parameter is effectively infinite and its model degenerate.
 */
export const LOG_BOUND = 25;

export interface Minimum {
  x: number[];
  fx: number;
  iterations: number;
}

export function nelderMead(
  f: (x: number[]) => number,
  start: number[],
  options: { step?: number; tolerance?: number; maxIterations?: number; bound?: number } = {},
): Minimum {
  const n = start.length;
  const step = options.step ?? 0.5;
  const tolerance = options.tolerance ?? 1e-10;
  const maxIterations = options.maxIterations ?? 2000 * n;
  // Outside the box |x_i| ≤ bound the function counts as infinite: a likelihood whose maximum lies at
  // infinity (data with no spread for a parameter to fit) then stops at the wall instead of walking on
  // until the iteration cap.
  const bound = options.bound ?? Infinity;
  const value = (x: number[]) => {
    if (x.some((v) => Math.abs(v) > bound)) return Infinity;
    const v = f(x);
    return Number.isFinite(v) ? v : Infinity;
  };
  let simplex = [start, ...start.map((_, i) => start.map((v, j) => (i === j ? v + step : v)))].map((x) => ({
    x,
    fx: value(x),
  }));
  const combine = (a: number[], b: number[], t: number) => a.map((v, i) => v + t * (b[i]! - v));
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    simplex.sort((p, q) => p.fx - q.fx);
    const best = simplex[0]!;
    const worst = simplex[n]!;
    if (Math.abs(worst.fx - best.fx) <= tolerance * (Math.abs(best.fx) + tolerance)) break;
    const centroid = start.map((_, j) => simplex.slice(0, n).reduce((s, p) => s + p.x[j]!, 0) / n);
    const reflected = combine(centroid, worst.x, -1);
    const fr = value(reflected);
    if (fr < best.fx) {
      const expanded = combine(centroid, worst.x, -2);
      const fe = value(expanded);
      simplex[n] = fe < fr ? { x: expanded, fx: fe } : { x: reflected, fx: fr };
    } else if (fr < simplex[n - 1]!.fx) {
      simplex[n] = { x: reflected, fx: fr };
    } else {
      const outside = fr < worst.fx;
      const contracted = combine(centroid, outside ? reflected : worst.x, 0.5);
      const fc = value(contracted);
      if (fc < (outside ? fr : worst.fx)) {
        simplex[n] = { x: contracted, fx: fc };
      } else {
        simplex = simplex.map((p, i) => (i === 0 ? p : { x: combine(best.x, p.x, 0.5), fx: 0 }));
        for (const p of simplex.slice(1)) p.fx = value(p.x);
      }
    }
  }
  simplex.sort((p, q) => p.fx - q.fx);
  return { x: simplex[0]!.x, fx: simplex[0]!.fx, iterations };
}
