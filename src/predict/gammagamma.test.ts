import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedData } from '../../test/support/shared.js';
import { random, simulateMbgNbd } from '../../test/support/simulate.js';
import {
  expectedOrderValue,
  fitGammaGamma,
  gammaGammaLogLikelihood,
  type GammaGammaParams,
  type SpendHistory,
} from './gammagamma.js';

const CDNOW = sharedData('cdnow', 'cdnow_customers_summary_with_transactions.csv');

describe('Gamma-Gamma', () => {
  it('fits the CDNOW sample as Fader, Hardie & Lee report (p 6.25, q 3.74, γ 15.44)', () => {
    const customers: SpendHistory[] = readFileSync(CDNOW, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => {
        const [, x, , , zbar] = line.split(',').map(Number);
        return { frequency: x!, meanValue: zbar! };
      });
    const { params, logLikelihood } = fitGammaGamma(customers);
    // The fit sums the likelihood rearranged for speed; it must be the model's, customer by customer.
    const summed = customers
      .filter((c) => c.frequency > 0)
      .reduce((ll, c) => ll + gammaGammaLogLikelihood(params, c), 0);
    expect(logLikelihood).toBeCloseTo(summed, 6);
    const published = { p: 6.25, q: 3.74, gamma: 15.44 };
    for (const [k, v] of Object.entries(published)) {
      expect(Math.abs(params[k as keyof GammaGammaParams] / v - 1), k).toBeLessThan(0.01);
    }
  });

  it('recovers the parameters it simulated spend from, within 10%', () => {
    const truth = { p: 6, q: 4, gamma: 15 };
    const rnd = random(7);
    const histories = simulateMbgNbd({ r: 0.5, alpha: 6, a: 0.9, b: 3.2 }, 20_000, 11)
      .filter((c) => c.frequency > 0)
      .map((c) => {
        const nu = rnd.gamma(truth.q) / truth.gamma;
        let sum = 0;
        for (let i = 0; i < c.frequency; i++) sum += rnd.gamma(truth.p) / nu;
        return { frequency: c.frequency, meanValue: sum / c.frequency };
      });
    const { params } = fitGammaGamma(histories);
    for (const [k, v] of Object.entries(truth)) {
      const fitted = params[k as keyof GammaGammaParams];
      expect(Math.abs(fitted / v - 1), `${k}: ${fitted}`).toBeLessThan(0.1);
    }
  });

  it('fits spend with no spread between customers, whose maximum lies at infinity', () => {
    const rnd = random(3);
    // Every customer's orders worth about the same: q and γ grow without bound.
    const flat = Array.from({ length: 20_000 }, () => ({
      frequency: 1 + Math.floor(rnd.uniform() * 5),
      meanValue: 9_000 + 100 * Math.floor(rnd.uniform() * 3),
    }));
    const { params, logLikelihood } = fitGammaGamma(flat);
    expect(Number.isFinite(logLikelihood)).toBe(true);
    // Whatever the parameters, the expected order value lands on the shop's mean.
    expect(expectedOrderValue(params, flat[0]!) / 9_100).toBeCloseTo(1, 1);
  });

  it("shrinks a customer's own mean towards the population's, less so the more they bought", () => {
    const params = { p: 6.25, q: 3.74, gamma: 15.44 };
    const population = (params.p * params.gamma) / (params.q - 1);
    const once = expectedOrderValue(params, { frequency: 1, meanValue: 100 });
    const often = expectedOrderValue(params, { frequency: 20, meanValue: 100 });
    expect(once).toBeGreaterThan(population);
    expect(once).toBeLessThan(often);
    expect(often).toBeLessThan(100);
  });
});
