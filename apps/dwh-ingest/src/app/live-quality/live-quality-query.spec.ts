import { parseLiveQualityQuery } from './live-quality-query';

describe('the live-quality query of dwh-ingest', () => {
  it('takes whole hours, a positive version and 2 to 50 bins, with the default window otherwise', () => {
    expect(parseLiveQualityQuery({}, 720)).toEqual({ windowHours: 720 });
    expect(parseLiveQualityQuery({ window_hours: '48', version: '3', bins: '5' }, 720)).toEqual({ windowHours: 48, version: 3, bins: 5 });
  });

  it('answers each bad parameter with its own code', () => {
    for (const bad of ['0', '1.5', 'week', '9000', '-1']) expect(parseLiveQualityQuery({ window_hours: bad }, 720)).toMatchObject({ code: 'INVALID_WINDOW' });
    for (const bad of ['0', 'x', '2.0']) expect(parseLiveQualityQuery({ version: bad }, 720)).toMatchObject({ code: 'INVALID_VERSION' });
    for (const bad of ['1', '51', 'ten']) expect(parseLiveQualityQuery({ bins: bad }, 720)).toMatchObject({ code: 'INVALID_BINS' });
  });
});
