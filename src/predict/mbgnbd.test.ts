import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedData } from '../../test/support/shared.js';
import { simulateMbgNbd } from '../../test/support/simulate.js';
import {
  expectedPurchases,
  fitMbgNbd,
  mbgNbdLogLikelihood,
  probabilityAlive,
  type MbgNbdParams,
  type Rft,
} from './mbgnbd.js';
import { hyp2f1, lnGamma, lnGammaRatio } from './special.js';

const CDNOW = sharedData('cdnow', 'cdnow_customers_summary.csv');

function cdnowSummary(): Rft[] {
  return readFileSync(CDNOW, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [, x, tx, T] = line.split(',').map(Number);
      return { frequency: x!, recency: tx!, age: T! };
    });
}

describe('special functions', () => {
  it('match known values', () => {
    expect(lnGamma(1)).toBeCloseTo(0, 12);
    expect(lnGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    expect(lnGamma(10)).toBeCloseTo(Math.log(362880), 10);
    expect(lnGamma(1 / 3)).toBeCloseTo(Math.log(2.678938534707747), 12);
    // 2F1(1, 1; 2; z) = -ln(1 - z) / z
    expect(hyp2f1(1, 1, 2, 0.5)).toBeCloseTo(-Math.log(0.5) / 0.5, 12);
    expect(() => hyp2f1(1, 1, 2, 1)).toThrow(RangeError);
  });

  it('take the difference of two log-gammas to full precision however large they are', () => {
    // Γ(z + 2) / Γ(z) = z (z + 1), below the switch to Stirling's series and far above it.
    for (const z of [0.3, 5, 99.5, 150, 1e6, 1e10]) {
      expect(lnGammaRatio(z, 2), `z = ${z}`).toBeCloseTo(Math.log(z) + Math.log(z + 1), 9);
    }
    // Γ(z + 1/2) / Γ(z) → √z (1 − 1/(8z) + 1/(128z²)) as z grows.
    const z = 1e4;
    expect(lnGammaRatio(z, 0.5)).toBeCloseTo(
      0.5 * Math.log(z) + Math.log(1 - 1 / (8 * z) + 1 / (128 * z * z)),
      12,
    );
  });
});

describe('MBG/NBD', () => {
  it('reproduces the published fit on the CDNOW sample within 1%', () => {
    const customers = cdnowSummary();
    const { params, logLikelihood } = fitMbgNbd(customers);
    // The fit sums the likelihood rearranged for speed; it must be the model's, customer by customer.
    const summed = customers.reduce((ll, c) => ll + mbgNbdLogLikelihood(params, c), 0);
    expect(logLikelihood).toBeCloseTo(summed, 6);
    // BTYDplus's estimates (Platzer), which lifetimes' tests hold its MBG/NBD to as well.
    const published = { r: 0.525, alpha: 6.183, a: 0.891, b: 1.614 };
    for (const [k, v] of Object.entries(published)) {
      expect(
        Math.abs(params[k as keyof MbgNbdParams] / v - 1),
        `${k}: ${params[k as keyof MbgNbdParams]}`,
      ).toBeLessThan(0.01);
    }
  });

  it('recovers the parameters it simulated 20,000 customers from, within 10%', () => {
    const truth = { r: 0.5, alpha: 6, a: 0.9, b: 3.2 };
    const { params } = fitMbgNbd(simulateMbgNbd(truth, 20_000, 20261124));
    for (const [k, v] of Object.entries(truth)) {
      expect(
        Math.abs(params[k as keyof MbgNbdParams] / v - 1),
        `${k}: ${params[k as keyof MbgNbdParams]}`,
      ).toBeLessThan(0.1);
    }
  });

  it('keeps its likelihood exact when everyone drops out at the same rate (a, b → ∞)', () => {
    // With a + b = κ and a / κ = p held, Beta(a, b) narrows onto p as κ grows, and each customer's
    // likelihood onto the one with a fixed dropout probability: B(a, b + x + 1) / B(a, b) → (1 − p)^(x+1).
    const [r, alpha, p] = [0.5, 6, 0.15];
    const fixed = (c: Rft) => {
      const x = c.frequency;
      const head = lnGamma(r + x) - lnGamma(r) + r * Math.log(alpha) + (x + 1) * Math.log(1 - p);
      const silent = -(r + x) * Math.log(alpha + c.age);
      const dropped = Math.log(p / (1 - p)) - (r + x) * Math.log(alpha + c.recency);
      return head + Math.log(Math.exp(silent) + Math.exp(dropped));
    };
    for (const c of [
      { frequency: 0, recency: 0, age: 52 },
      { frequency: 3, recency: 20.5, age: 52 },
      { frequency: 12, recency: 50, age: 104 },
    ]) {
      const ll = mbgNbdLogLikelihood({ r, alpha, a: p * 1e10, b: (1 - p) * 1e10 }, c);
      expect(ll, `x = ${c.frequency}`).toBeCloseTo(fixed(c), 6);
    }
  });

  it('recovers a dropout rate that every customer shares', () => {
    const truth = { r: 0.5, alpha: 6, p: 0.15 };
    const customers = simulateMbgNbd({ r: 0.5, alpha: 6, a: 0.15e9, b: 0.85e9 }, 20_000, 7);
    const { params, logLikelihood } = fitMbgNbd(customers);
    const summed = customers.reduce((ll, c) => ll + mbgNbdLogLikelihood(params, c), 0);
    expect(logLikelihood).toBeCloseTo(summed, 6);
    const fitted = { r: params.r, alpha: params.alpha, p: params.a / (params.a + params.b) };
    for (const [k, v] of Object.entries(truth)) {
      const f = fitted[k as keyof typeof fitted];
      expect(Math.abs(f / v - 1), `${k}: ${f}`).toBeLessThan(0.1);
    }
  });

  it('predicts as the published model does, and lets a long-silent one-time buyer go', () => {
    // The papers' example customer, x = 2, t_x = 30.43, T = 38.86, with the CDNOW fit: the BG/NBD paper
    // expects 1.226 purchases in the next 39 weeks; this model 1.263, within the 0.05 that lifetimes'
    // tests allow its MBG/NBD against that figure.
    const params = { r: 0.525, alpha: 6.183, a: 0.891, b: 1.614 };
    const c = { frequency: 2, recency: 30.43, age: 38.86 };
    expect(expectedPurchases(params, c, 39)).toBeCloseTo(1.226, 1);
    // A one-time buyer is no longer certainly alive: less so the longer the silence.
    const once = (weeks: number) => probabilityAlive(params, { frequency: 0, recency: 0, age: weeks });
    expect(once(1)).toBeLessThan(1);
    expect(once(10)).toBeLessThan(once(1));
    expect(once(78)).toBeLessThan(0.35);
    // Long silent after frequent buying: probably gone.
    expect(probabilityAlive(params, { frequency: 10, recency: 5, age: 38.86 })).toBeLessThan(0.05);
  });
});
