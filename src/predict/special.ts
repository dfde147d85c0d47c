// The special functions the purchase models need: log-gamma and the Gauss hypergeometric function.

// Lanczos approximation (g = 7, n = 9), accurate to about 15 significant digits for x > 0.
const G = 7;
const C = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

export function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lnGamma(1 - x);
  const z = x - 1;
  let sum = C[0]!;
  for (let i = 1; i < G + 2; i++) sum += C[i]! / (z + i);
  const t = z + G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** Where Stirling's series (to its 1/x⁵ term, next term under 1/(1680·x⁷)) beats the Lanczos difference. */
const STIRLING_FROM = 100;

/**
 * lnΓ(z + q) − lnΓ(z). For large z the two log-gammas are huge and nearly equal: at z = 10^10 each is
 * 2·10^11 and their difference keeps four decimals, so a likelihood summing it over thousands of customers
 * moved by whole units between neighbouring points, and the spend model's search wandered on that noise
 * until its iteration cap. There the difference of Stirling's series is taken term by term, the leading
 * one through log1p.
 */
export function lnGammaRatio(z: number, q: number): number {
  if (z < STIRLING_FROM) return lnGamma(z + q) - lnGamma(z);
  const w = z + q;
  const tail = (x: number) => 1 / (12 * x) - 1 / (360 * x ** 3) + 1 / (1260 * x ** 5);
  return (z - 0.5) * Math.log1p(q / z) + q * Math.log(w) - q + tail(w) - tail(z);
}

/** 2F1(a, b; c; z) by its power series, for 0 <= z < 1 (where the models use it). */
export function hyp2f1(a: number, b: number, c: number, z: number): number {
  if (z < 0 || z >= 1) throw new RangeError(`hyp2f1 needs 0 <= z < 1, got ${z}`);
  let term = 1;
  let sum = 1;
  for (let n = 0; n < 100_000; n++) {
    term *= ((a + n) * (b + n) * z) / ((c + n) * (n + 1));
    sum += term;
    if (Math.abs(term) < 1e-15 * Math.abs(sum)) return sum;
  }
  return sum;
}
