// The MBG/NBD model of Batislam, Denizel & Filiztekin (2007), with the erratum of Wagner & Hoppe (2008): while
// active, a customer buys at a Poisson rate λ ~ Gamma(r, α); right after the first purchase and after each
// repeat purchase they drop out with probability p ~ Beta(a, b). Fitted by maximum likelihood on each
// customer's (x, t_x, T): repeat purchases, the time of the last one and the time since the first, all in
// the same unit (weeks here).
//
// It is the BG/NBD of Fader, Hardie & Lee (2005) but for that first chance to drop out. The BG/NBD lets a
// customer drop out only after a repeat purchase, so everyone who bought once is alive for certain: in a shop
// where most customers are one-time buyers, the ones a CRM most wants to win back, every one of them had a
// churn risk of 0 % however long ago they bought. Here a one-time buyer's chance of being alive falls as
// their silence grows, as it does for everyone else.
import { hyp2f1, lnGamma, lnGammaRatio } from './special.js';
import { LOG_BOUND, nelderMead } from './minimize.js';

export interface MbgNbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

export interface Rft {
  /** Repeat purchases (x). */
  frequency: number;
  /** Time of the last purchase since the first (t_x). */
  recency: number;
  /** Time since the first purchase (T). */
  age: number;
}

/**
 * One customer's log-likelihood, in logs for stability:
 * B(a, b + x + 1) / B(a, b) · Γ(r + x) α^r / Γ(r) · [(α + T)^−(r+x) + a / (b + x) · (α + t_x)^−(r+x)].
 */
export function mbgNbdLogLikelihood({ r, alpha, a, b }: MbgNbdParams, c: Rft): number {
  const x = c.frequency;
  const a1 = lnGamma(r + x) - lnGamma(r) + r * Math.log(alpha);
  // ln B(a, b + x + 1) − ln B(a, b), to full precision however large a and b (see fitMbgNbd).
  const a2 = lnGammaRatio(b, x + 1) - lnGammaRatio(a + b, x + 1);
  const a3 = -(r + x) * Math.log(alpha + c.age);
  const a4 = Math.log(a) - Math.log(b + x) - (r + x) * Math.log(alpha + c.recency);
  const top = Math.max(a3, a4);
  return a1 + a2 + top + Math.log(Math.exp(a3 - top) + Math.exp(a4 - top));
}

export interface Fit<P> {
  params: P;
  logLikelihood: number;
}

/**
 * Maximum-likelihood fit. Customers with the same (x, t_x, T) share one likelihood term, so a million
 * customers cost as much as their distinct histories; and what depends on x alone (the gamma and beta
 * terms, a handful of distinct values) is worked out once per step, leaving two logarithms per history.
 * The sum is mbgNbdLogLikelihood's, rearranged.
 */
export function fitMbgNbd(customers: Rft[]): Fit<MbgNbdParams> {
  const groups = new Map<string, { c: Rft; n: number }>();
  for (const c of customers) {
    const key = `${c.frequency}|${c.recency}|${c.age}`;
    const g = groups.get(key);
    if (g) g.n++;
    else groups.set(key, { c, n: 1 });
  }
  const distinct = [...groups.values()];
  const frequencies = [...new Set(distinct.map((g) => g.c.frequency))];
  const slotOf = new Map(frequencies.map((f, i) => [f, i]));
  const slot = Int32Array.from(distinct, (g) => slotOf.get(g.c.frequency)!);
  const count = Float64Array.from(distinct, (g) => g.n);
  const x = Float64Array.from(distinct, (g) => g.c.frequency);
  const recency = Float64Array.from(distinct, (g) => g.c.recency);
  const age = Float64Array.from(distinct, (g) => g.c.age);
  const base = new Float64Array(frequencies.length);
  const dropOdds = new Float64Array(frequencies.length);
  const negLl = (logs: number[]) => {
    const [r, alpha, a, b] = logs.map(Math.exp) as [number, number, number, number];
    const shared = r * Math.log(alpha) - lnGamma(r);
    frequencies.forEach((f, i) => {
      // ln B(a, b + f + 1) − ln B(a, b), as two log-gamma ratios: taken as the difference of the two log-betas
      // it is lost in their rounding once a and b run into the millions (dropout the same for everyone,
      // where the maximum lies at a, b → ∞), and the search wandered on that noise until its iteration cap
      // (96 s for the 20,000-customer demo shop).
      base[i] = lnGamma(r + f) + lnGammaRatio(b, f + 1) - lnGammaRatio(a + b, f + 1) + shared;
      dropOdds[i] = Math.log(a) - Math.log(b + f);
    });
    let ll = 0;
    for (let i = 0; i < x.length; i++) {
      const rx = r + x[i]!;
      const a3 = -rx * Math.log(alpha + age[i]!);
      const a4 = dropOdds[slot[i]!]! - rx * Math.log(alpha + recency[i]!);
      const top = Math.max(a3, a4);
      ll += count[i]! * (base[slot[i]!]! + top + Math.log(Math.exp(a3 - top) + Math.exp(a4 - top)));
    }
    return -ll;
  };
  // Parameters live on the log scale, which keeps them positive; polishing restarts avoid an early stop.
  let best = nelderMead(negLl, [0, 0, 0, 0], { bound: LOG_BOUND });
  for (let i = 0; i < 3; i++) best = nelderMead(negLl, best.x, { step: 0.1, bound: LOG_BOUND });
  const [r, alpha, a, b] = best.x.map(Math.exp) as [number, number, number, number];
  return { params: { r, alpha, a, b }, logLikelihood: -best.fx };
}

/** The probability the customer is still active at T (Batislam et al., appendix A, equation 5). */
export function probabilityAlive({ r, alpha, a, b }: MbgNbdParams, c: Rft): number {
  const odds = (a / (b + c.frequency)) * Math.pow((alpha + c.age) / (alpha + c.recency), r + c.frequency);
  return 1 / (1 + odds);
}

/** Expected purchases in the next `t`, given the customer's history (as corrected by Wagner & Hoppe). */
export function expectedPurchases({ r, alpha, a, b }: MbgNbdParams, c: Rft, t: number): number {
  const x = c.frequency;
  const rx = r + x;
  const z = t / (alpha + c.age + t);
  const head = (a + b + x) / (a - 1);
  const tail = 1 - Math.pow((alpha + c.age) / (alpha + c.age + t), rx) * hyp2f1(rx, b + x + 1, a + b + x, z);
  const alive = 1 + (a / (b + x)) * Math.pow((alpha + c.age) / (alpha + c.recency), rx);
  return (head * tail) / alive;
}
