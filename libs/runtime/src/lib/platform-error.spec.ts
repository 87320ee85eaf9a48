import { isDependencyDown } from './platform-error';

describe('telling a dependency outage from a bad query', () => {
  it('treats connection failures and server shutdowns as outages', () => {
    expect(isDependencyDown(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isDependencyDown(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
    expect(isDependencyDown(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDependencyDown({ message: 'query failed', driverError: { code: '08006' } })).toBe(true);
  });

  it('does not excuse client or programming errors as outages', () => {
    expect(isDependencyDown(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isDependencyDown(Object.assign(new Error('syntax error'), { code: '42601' }))).toBe(false);
    expect(isDependencyDown(new TypeError('x is undefined'))).toBe(false);
  });
});
