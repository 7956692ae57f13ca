import { describe, expect, it } from 'vitest';
import { averageRanks, exactSignedRankP, holm, summarise, tQuantile, wilcoxonP } from '../../../src/compare/statistics.ts';

/** Student's (1908) sleep data: extra hours of sleep, drug 2 minus drug 1, ten patients. */
const SLEEP = [1.2, 2.4, 1.3, 1.3, 0.0, 1.0, 1.8, 0.8, 4.6, 1.4];

describe('summarise: paired t statistics', () => {
  it("reproduces the published paired t-test of Student's sleep data (R: t = 4.0621, df = 9, p = 0.002833, CI 0.7001142 to 2.4598858)", () => {
    const s = summarise(SLEEP, 'higher');
    expect(s.n).toBe(10);
    expect(s.meanDiff).toBeCloseTo(1.58, 12);
    expect(s.pT).toBeCloseTo(0.002832890197384273, 9);
    expect(s.ciLow).toBeCloseTo(0.7001142367230174, 7);
    expect(s.ciHigh).toBeCloseTo(2.4598857632769824, 7);
    expect([s.wins, s.ties, s.losses]).toEqual([9, 1, 0]);
  });

  it('works a three-pair example by hand: d = 1, 2, 4', () => {
    // mean 7/3, s = √(7/3), se = s/√3, t = 2.6458 on 2 df; t(0.975, 2) = 4.302653 (tables).
    const s = summarise([1, 2, 4], 'higher');
    const se = Math.sqrt(7 / 3) / Math.sqrt(3);
    expect(s.meanDiff).toBeCloseTo(7 / 3, 12);
    expect(s.ciLow).toBeCloseTo(7 / 3 - 4.302653 * se, 5);
    expect(s.ciHigh).toBeCloseTo(7 / 3 + 4.302653 * se, 5);
    expect(s.pT).toBeCloseTo(0.118083, 6);
    expect(s.pWilcoxon).toBe(0.25); // all three positive: 2 · (1/8)
  });

  it('counts a lower difference as a win for a cost', () => {
    const s = summarise([-0.1, 0, 0.2, -0.3], 'lower');
    expect([s.wins, s.ties, s.losses]).toEqual([2, 1, 1]);
  });

  it('gives the difference but no interval or test for a single pair', () => {
    expect(summarise([2.5], 'higher')).toEqual({ n: 1, meanDiff: 2.5, ciLow: null, ciHigh: null, pT: null, pWilcoxon: null, wins: 1, ties: 0, losses: 0 });
  });

  it('gives nothing but counts for no pairs', () => {
    expect(summarise([], 'higher')).toMatchObject({ n: 0, meanDiff: null, pT: null });
  });

  it('does not invent a t-test p-value when every difference is the same', () => {
    const s = summarise([3, 3, 3], 'higher');
    expect(s.ciLow).toBe(3);
    expect(s.ciHigh).toBe(3);
    expect(s.pT).toBeNull();
    expect(s.pWilcoxon).toBe(0.25);
  });

  it('gives no Wilcoxon p-value when every difference is 0', () => {
    expect(summarise([0, 0, 0], 'higher').pWilcoxon).toBeNull();
  });
});

describe('wilcoxonP', () => {
  it.each([
    // Exact, no ties: tables of the signed-rank distribution give P(T ≤ 8 | n = 10) = 25/1024, P(T ≤ 7) = 19/1024.
    ['n = 10, negative ranks 1 and 7', [-1, 2, 3, 4, 5, 6, -7, 8, 9, 10], 50 / 1024],
    ['n = 10, negative rank 7 (scipy 0.037109375)', [1, 2, 3, 4, 5, 6, -7, 8, 9, 10], 0.037109375],
    // By hand: ranks 1..5, R+ = 13; sums ≥ 13 are the complements of the 3 subsets summing to ≤ 2.
    ['n = 5, R+ = 13', [1, -2, 3, 4, 5], (2 * 3) / 32],
    // Ties and a zero with n ≤ 13: exact over the sign flips of the average ranks (scipy's permutation p).
    ['sleep data: a tie and a zero', SLEEP, 0.00390625],
    ['tied ranks 1.5, 1.5 (scipy 0.625)', [1, 1, -2, 3], 0.625],
    // Ties with n > 13: normal approximation with tie correction (values from scipy 1.17.1).
    ['n = 16 with a tie', [1, 2, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, -14, 15], 0.006124824718602717],
    ['n = 60', Array.from({ length: 60 }, (_, i) => ((i * 37) % 23) - 7.5), 0.0008350445398894853],
  ])('%s', (_, diffs, expected) => {
    expect(wilcoxonP(diffs)).toBeCloseTo(expected, 12);
  });

  it('is symmetric in the sign of the differences', () => {
    const d = [0.3, -1.2, 2.5, 0.7, -0.1, 3.3];
    expect(wilcoxonP(d.map((x) => -x))).toBeCloseTo(wilcoxonP(d)!, 15);
  });

  it('never exceeds 1 when the rank sum sits at the centre', () => {
    // n = 4, R+ = 5 = n(n+1)/4: both tails hold more than half of the mass.
    expect(exactSignedRankP([1, 2, 3, 4], 5)).toBe(1);
  });
});

describe('averageRanks', () => {
  it.each([
    [
      [10, 30, 20],
      [1, 3, 2],
    ],
    [
      [2, 1, 2, 3],
      [2.5, 1, 2.5, 4],
    ],
    [
      [5, 5, 5],
      [2, 2, 2],
    ],
  ])('%j → %j', (values, ranks) => {
    expect(averageRanks(values)).toEqual(ranks);
  });
});

describe('holm', () => {
  it('adjusts by hand: 0.005·4, 0.01·3, 0.03·2 and 0.04·1 made monotone', () => {
    const adjusted = holm([0.01, 0.04, 0.03, 0.005]);
    expect(adjusted.map((p) => p!.toFixed(6))).toEqual(['0.030000', '0.060000', '0.060000', '0.020000']);
  });

  it('leaves untested slices out of the family', () => {
    expect(holm([0.02, null, 0.5])).toEqual([0.04, null, 0.5]);
  });

  it('caps at 1', () => {
    expect(holm([0.6, 0.7])).toEqual([1, 1]);
  });
});

describe('tQuantile', () => {
  it.each([
    // Published t tables (two-sided 95%): 12.706, 4.303, 2.571, 2.262, 2.056, 1.984; scipy gives the full digits.
    [1, 12.706204736174694],
    [2, 4.302652729749462],
    [5, 2.5705818356363146],
    [9, 2.262157162798205],
    [26, 2.0555294386428735],
    [100, 1.9839715185235518],
  ])('0.975 quantile with %i degrees of freedom', (dof, expected) => {
    expect(tQuantile(0.975, dof)).toBeCloseTo(expected, 8);
  });
});
