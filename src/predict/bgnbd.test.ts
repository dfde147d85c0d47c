import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedData } from '../../test/support/shared.js';
import { simulateBgNbd } from '../../test/support/simulate.js';
import { expectedPurchases, fitBgNbd, probabilityAlive, type BgNbdParams, type Rft } from './bgnbd.js';
import { lnGamma, hyp2f1 } from './special.js';

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
});

describe('BG/NBD', () => {
  it('reproduces Fader, Hardie & Lee (2005) on the CDNOW sample within 1%', () => {
    const { params, logLikelihood } = fitBgNbd(cdnowSummary());
    const published = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
    for (const [k, v] of Object.entries(published)) {
      expect(Math.abs(params[k as keyof BgNbdParams] / v - 1), k).toBeLessThan(0.01);
    }
    expect(Math.abs(logLikelihood / -9582.4 - 1)).toBeLessThan(0.01);
    expect(logLikelihood).toBeCloseTo(-9582.4, 0);
  });

  it('recovers the parameters it simulated 20,000 customers from, within 10%', () => {
    const truth = { r: 0.5, alpha: 6, a: 0.9, b: 3.2 };
    const { params } = fitBgNbd(simulateBgNbd(truth, 20_000, 20261124));
    for (const [k, v] of Object.entries(truth)) {
      expect(
        Math.abs(params[k as keyof BgNbdParams] / v - 1),
        `${k}: ${params[k as keyof BgNbdParams]}`,
      ).toBeLessThan(0.1);
    }
  });

  it('predicts as the paper does for its example customer', () => {
    // Section 4 of the paper: x = 2, t_x = 30.43, T = 38.86 expects 1.226 purchases in the next 39 weeks.
    const params = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
    const c = { frequency: 2, recency: 30.43, age: 38.86 };
    expect(expectedPurchases(params, c, 39)).toBeCloseTo(1.226, 2);
    expect(probabilityAlive(params, { frequency: 0, recency: 0, age: 38.86 })).toBe(1);
    // Long silent after frequent buying: probably gone.
    expect(probabilityAlive(params, { frequency: 10, recency: 5, age: 38.86 })).toBeLessThan(0.05);
  });
});
