import { hasScope } from '@mlp/runtime';
import { grants } from './scopes';

describe("the pages' scope rule", () => {
  it('answers as the services do for every kind of grant', () => {
    const granted = [[], ['admin'], ['trainer:read'], ['trainer:*'], ['ingest:write', 'serving:predict'], ['trainerx:read'], ['trainer']];
    const required = ['trainer:read', 'trainer:write', 'admin', 'ingest:write', 'serving:predict', 'serving:admin', 'features:read'];
    for (const g of granted) for (const r of required) expect([g, r, grants(g, r)]).toEqual([g, r, hasScope(g, r)]);
  });
});
