// The Gamma-Gamma model of spend (Fader, Hardie & Lee 2005, "RFM and CLV"): a customer's order values are
// Gamma(p, ν) around their own mean, with ν ~ Gamma(q, γ) across customers. Fitted on customers with at
// least one repeat purchase: x repeat orders with mean value m.
import { lnGamma } from './special.js';
import { LOG_BOUND, nelderMead } from './minimize.js';
import type { Fit } from './bgnbd.js';

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
    lnGamma(p * x + q) -
    lnGamma(p * x) -
    lnGamma(q) +
    q * Math.log(gamma) +
    (p * x - 1) * Math.log(m) +
    p * x * Math.log(x) -
    (p * x + q) * Math.log(gamma + m * x)
  );
}

export function fitGammaGamma(customers: SpendHistory[]): Fit<GammaGammaParams> {
  const usable = customers.filter((c) => c.frequency > 0 && c.meanValue > 0);
  const negLl = (logs: number[]) => {
    const params = { p: Math.exp(logs[0]!), q: Math.exp(logs[1]!), gamma: Math.exp(logs[2]!) };
    let ll = 0;
    for (const c of usable) ll += gammaGammaLogLikelihood(params, c);
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
