// Customers drawn from the purchase models themselves, so fits can be checked against known parameters.
import type { MbgNbdParams, Rft } from '../../src/predict/mbgnbd.js';

/** A seeded generator (mulberry32) and the draws the simulations need. */
export function random(seed: number) {
  let s = seed >>> 0;
  const uniform = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  // Marsaglia and Tsang; shape below 1 by the boost U^(1/shape).
  const gamma = (shape: number): number => {
    if (shape < 1) return gamma(shape + 1) * Math.pow(uniform(), 1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const z = normal();
      const v = Math.pow(1 + c * z, 3);
      if (v > 0 && Math.log(uniform()) < 0.5 * z * z + d - d * v + d * Math.log(v)) return d * v;
    }
  };
  const beta = (a: number, b: number) => {
    const x = gamma(a);
    return x / (x + gamma(b));
  };
  return { uniform, gamma, beta };
}

/** Customers drawn from the model itself, first purchases spread over a year, observed for two years after. */
export function simulateMbgNbd(params: MbgNbdParams, customers: number, seed: number): Rft[] {
  const rnd = random(seed);
  return Array.from({ length: customers }, () => {
    const lambda = rnd.gamma(params.r) / params.alpha;
    const p = rnd.beta(params.a, params.b);
    const age = 104 + rnd.uniform() * 52;
    let t = 0;
    let x = 0;
    let last = 0;
    // Right after the first purchase, and after each repeat purchase, the customer may drop out.
    while (rnd.uniform() >= p) {
      t += -Math.log(1 - rnd.uniform()) / lambda;
      if (t > age) break;
      x++;
      last = t;
    }
    return { frequency: x, recency: last, age };
  });
}
