import { pointInTimeColumns, pointInTimeRequest } from './point-in-time-request';

describe('point-in-time retrieval for batch scoring', () => {
  it('asks for every entity at the stated time, keys as text or, when asked, as numbers', () => {
    const entities = [{ user_id: '7' }, { user_id: '12' }];
    expect(pointInTimeRequest({ features: ['v@v2:a'] }, entities, '2026-11-15T00:00:00Z', false)).toEqual({
      features: ['v@v2:a'],
      entity_rows: { event_timestamp: ['2026-11-15T00:00:00Z', '2026-11-15T00:00:00Z'], user_id: ['7', '12'] },
      format: 'ndjson',
      full_feature_names: true,
    });
    expect(pointInTimeRequest({ feature_service: 's' }, entities, '2026-11-15T00:00:00Z', true).entity_rows).toEqual({ event_timestamp: ['2026-11-15T00:00:00Z', '2026-11-15T00:00:00Z'], user_id: [7, 12] });
  });

  it('reads the NDJSON rows back as columns in entity order, a null value missing, the metadata line left out', () => {
    const ndjson = [
      JSON.stringify({ user_id: 'a', event_timestamp: 't', v__v2__x: 3, v__v2__plan: 'pro' }),
      JSON.stringify({ user_id: 'b', event_timestamp: 't', v__v2__x: null, v__v2__plan: 'free' }),
      JSON.stringify({ _metadata: { rows: 2 } }),
      '',
    ].join('\n');
    expect(pointInTimeColumns(ndjson, ['v__v2__plan', 'v__v2__x'], 2)).toEqual([
      { values: ['pro', 'free'], statuses: ['PRESENT', 'PRESENT'] },
      { values: [3, null], statuses: ['PRESENT', 'NOT_FOUND'] },
    ]);
  });

  it('refuses an answer of another shape as a 502 BAD_PEER_REPLY', () => {
    const row = JSON.stringify({ user_id: 'a', v__x: 1 });
    for (const [body, names, n] of [
      [row, ['v__x'], 2],
      [row, ['v__y'], 1],
      ['{not json', ['v__x'], 1],
      [JSON.stringify({ user_id: 'a', v__x: [1] }), ['v__x'], 1],
    ] as const) {
      expect(() => pointInTimeColumns(body, names, n)).toThrow(expect.objectContaining({ status: 502, code: 'BAD_PEER_REPLY' }));
    }
  });
});
