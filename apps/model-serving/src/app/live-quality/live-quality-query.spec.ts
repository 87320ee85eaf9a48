import { parseLiveQualityQuery } from './live-quality-query';

describe('live-quality query', () => {
  it('takes whole hours and an optional version, defaulting the window', () => {
    expect(parseLiveQualityQuery({}, 720)).toEqual({ windowHours: 720 });
    expect(parseLiveQualityQuery({ window_hours: '48', version: '3' }, 720)).toEqual({ windowHours: 48, version: 3 });
    expect(parseLiveQualityQuery({ window_hours: '8784' }, 720)).toEqual({ windowHours: 8784 });
  });

  it('names the bad parameter with a machine-readable code', () => {
    for (const bad of ['0', '-1', '1.5', 'abc', '', '8785', '1e3']) {
      expect(parseLiveQualityQuery({ window_hours: bad }, 720)).toMatchObject({ code: 'INVALID_WINDOW' });
    }
    expect(parseLiveQualityQuery({ version: 'x' }, 720)).toMatchObject({ code: 'INVALID_VERSION' });
    expect(parseLiveQualityQuery({ version: '0' }, 720)).toMatchObject({ code: 'INVALID_VERSION' });
  });
});
