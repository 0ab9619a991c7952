import { refreshBackoffMs } from './backoff';

describe('refresh backoff: exponential windows, full jitter, a floor and a cap', () => {
  const options = { baseMs: 1_000, capMs: 60_000 };

  it('the window doubles with each failure in a row, up to the cap', () => {
    const top = (n: number) => refreshBackoffMs(n, options, () => 1);
    expect([1, 2, 3, 4, 5, 6, 7, 50].map(top)).toEqual([
      2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000,
    ]);
  });

  it('never waits less than the base, whatever the draw', () => {
    for (const n of [1, 2, 10, 1_000]) expect(refreshBackoffMs(n, options, () => 0)).toBe(1_000);
  });

  it('full jitter: the wait is spread uniformly over the window above the floor', () => {
    expect(refreshBackoffMs(3, options, () => 0.5)).toBe(1_000 + 0.5 * 7_000);
    const draws = Array.from({ length: 200 }, () => refreshBackoffMs(4, options));
    for (const d of draws) expect(d).toBeGreaterThanOrEqual(1_000);
    for (const d of draws) expect(d).toBeLessThanOrEqual(16_000);
    // Spread out, not one value: authorizations that failed together do not come back together.
    expect(new Set(draws).size).toBeGreaterThan(50);
  });

  it('a zero or negative failure count counts as the first failure; a cap below the base is the base', () => {
    expect(refreshBackoffMs(0, options, () => 1)).toBe(2_000);
    expect(refreshBackoffMs(5, { baseMs: 5_000, capMs: 1_000 }, () => 1)).toBe(5_000);
  });
});
