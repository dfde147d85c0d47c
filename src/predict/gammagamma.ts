// The Gamma-Gamma model of spend (Fader, Hardie & Lee 2005, "RFM and CLV"): a customer's order values are
// Gamma(p, ν) around their own mean, with ν ~ Gamma(q, γ) across customers. Fitted on customers with at
// least one repeat purchase: x repeat orders with mean value m.
import { lnGamma, lnGammaRatio } from './special.js';
import { LOG_BOUND, nelderMead } from './minimize.js';
import type { Fit } from './mbgnbd.js';

export interface GammaGammaParams {
  p: number;
  q: number;
  gamma: number;
}

export interface SpendHistory {
  /** Repeat orders. */
  frequency: number;
  /** Their mean value. */
  meanValue: number;
}

export function gammaGammaLogLikelihood({ p, q, gamma }: GammaGammaParams, c: SpendHistory): number {
  const { frequency: x, meanValue: m } = c;
  return (
    lnGammaRatio(p * x, q) -
    lnGamma(q) +
    q * Math.log(gamma) +
    (p * x - 1) * Math.log(m) +
    p * x * Math.log(x) -
    (p * x + q) * Math.log(gamma + m * x)
  );
}

export function fitGammaGamma(customers: SpendHistory[]): Fit<GammaGammaParams> {
  const usable = customers.filter((c) => c.frequency > 0 && c.meanValue > 0);
  // The search evaluates the likelihood thousands of times (more when the spend has little spread and
  // the maximum lies far out), so what does not change with the parameters is gathered once. Written
  // with ln(γ + mx) = ln m + ln x + ln(1 + γ/mx), gammaGammaLogLikelihood summed over customers is
  //   Σ_x n_x·[lnΓ(px+q) − lnΓ(px) − lnΓ(q) + q·ln γ − q·ln x]   (n_x customers with x repeat orders)
  //   − Σ (q + 1)·ln m − Σ (px + q)·ln(1 + γ/mx)
  // which leaves one logarithm per customer and step, and none of the terms in p·x·ln m that cancel
  // each other out (with p in the millions, their rounding alone outweighed a step's gain).
  const byFrequency = new Map<number, number>();
  const x = new Float64Array(usable.length);
  const mx = new Float64Array(usable.length);
  let sumLogM = 0;
  usable.forEach((c, i) => {
    byFrequency.set(c.frequency, (byFrequency.get(c.frequency) ?? 0) + 1);
    x[i] = c.frequency;
    mx[i] = c.meanValue * c.frequency;
    sumLogM += Math.log(c.meanValue);
  });
  const negLl = (logs: number[]) => {
    const [p, q, gamma] = logs.map(Math.exp) as [number, number, number];
    let ll = -(q + 1) * sumLogM;
    for (const [f, n] of byFrequency)
      ll += n * (lnGammaRatio(p * f, q) - lnGamma(q) + q * Math.log(gamma) - q * Math.log(f));
    for (let i = 0; i < x.length; i++) ll -= (p * x[i]! + q) * Math.log1p(gamma / mx[i]!);
    return -ll;
  };
  let best = nelderMead(negLl, [0, 0, 0], { bound: LOG_BOUND });
  for (let i = 0; i < 3; i++) best = nelderMead(negLl, best.x, { step: 0.1, bound: LOG_BOUND });
  const [p, q, gamma] = best.x.map(Math.exp) as [number, number, number];
  return { params: { p, q, gamma }, logLikelihood: -best.fx };
}

/** The expected value of the customer's future orders: their own mean, shrunk towards the population's. */
export function expectedOrderValue({ p, q, gamma }: GammaGammaParams, c: SpendHistory): number {
  return (p * (gamma + c.frequency * c.meanValue)) / (p * c.frequency + q - 1);
}
