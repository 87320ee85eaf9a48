import { durationSeconds } from './duration';

describe('durations of definitions', () => {
  it('reads them in seconds', () => {
    expect([durationSeconds('90s'), durationSeconds('30m'), durationSeconds('6h'), durationSeconds('7d')]).toEqual([90, 1800, 21600, 604800]);
  });

  it('refuses anything that is not one', () => {
    for (const bad of ['7', '0d', '1w', '1.5h', ' 7d']) expect(() => durationSeconds(bad)).toThrow(/not a duration/);
  });
});
