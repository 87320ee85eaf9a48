import { ConfigError } from './env-config';
import { basicWriteKey, bearerToken, hasScope, TokenRegistry } from './token-auth';

const tokens = TokenRegistry.fromEnv(
  JSON.stringify([
    { name: 'ingest', token: 'ingest-secret-0123456789', scopes: ['ingest:write'] },
    { name: 'ops', token: 'ops-secret-0123456789abc', scopes: ['features:*', 'models:read'] },
  ]),
);

describe('scoped bearer tokens', () => {
  it('finds the grant of a known token and nothing for an unknown or near-miss token', () => {
    expect(tokens.authenticate('ingest-secret-0123456789')).toEqual({ name: 'ingest', scopes: ['ingest:write'] });
    expect(tokens.authenticate('ingest-secret-012345678')).toBeUndefined();
    expect(tokens.authenticate('')).toBeUndefined();
  });

  it('grants a scope exactly, by area wildcard, or through admin', () => {
    expect(hasScope(['ingest:write'], 'ingest:write')).toBe(true);
    expect(hasScope(['ingest:write'], 'ingest:admin')).toBe(false);
    expect(hasScope(['features:*'], 'features:write')).toBe(true);
    expect(hasScope(['features:*'], 'models:write')).toBe(false);
    expect(hasScope(['admin'], 'models:write')).toBe(true);
  });

  it('reads only well-formed bearer headers', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer   abc  ')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });

  it("reads a Segment write key from a Basic header's user name", () => {
    const basic = (s: string) => `Basic ${Buffer.from(s, 'utf8').toString('base64')}`;
    expect(basicWriteKey(basic('ingest-secret-0123456789:'))).toBe('ingest-secret-0123456789');
    expect(basicWriteKey(basic('key-with-ü:ignored-password'))).toBe('key-with-ü');
    expect(basicWriteKey(basic('no-colon-key'))).toBe('no-colon-key');
    expect(basicWriteKey(`basic   ${Buffer.from('k:').toString('base64')}  `)).toBe('k');
    expect(basicWriteKey(basic(':password-only'))).toBeUndefined();
    expect(basicWriteKey('Basic not*base64')).toBeUndefined();
    expect(basicWriteKey('Bearer abc')).toBeUndefined();
    expect(basicWriteKey(undefined)).toBeUndefined();
  });

  it('refuses malformed configuration, naming AUTH_TOKENS', () => {
    const bad = [
      'not json',
      '{}',
      JSON.stringify([{ name: 'a', token: 'short', scopes: ['x:y'] }]),
      JSON.stringify([{ name: 'a', token: 'long-enough-token-123', scopes: [] }]),
      JSON.stringify([{ name: 'a', token: 'long-enough-token-123', scopes: ['Bad Scope'] }]),
      JSON.stringify([
        { name: 'a', token: 'long-enough-token-123', scopes: ['x:y'] },
        { name: 'a', token: 'long-enough-token-456', scopes: ['x:y'] },
      ]),
    ];
    for (const raw of bad) {
      expect(() => TokenRegistry.fromEnv(raw)).toThrow(ConfigError);
      expect(() => TokenRegistry.fromEnv(raw)).toThrow(/AUTH_TOKENS/);
    }
  });
});
