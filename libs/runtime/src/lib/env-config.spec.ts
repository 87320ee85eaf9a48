import { Type } from '@sinclair/typebox';
import { ConfigError, loadEnvConfig, parsePeers, serviceEnv } from './env-config';

const schema = serviceEnv(3001, 4001, { BATCH_SIZE: Type.Integer({ minimum: 1, default: 500 }) });

describe('environment configuration', () => {
  it('coerces strings, applies defaults and keeps only declared variables', () => {
    const cfg = loadEnvConfig(schema, { DATABASE_URL: 'postgres://x@h/db', BATCH_SIZE: '20', UNRELATED: 'x' });
    expect(cfg).toMatchObject({ DATABASE_URL: 'postgres://x@h/db', BATCH_SIZE: 20, PORT: 3001, TCP_PORT: 4001, PLATFORM_PROFILE: 'embedded' });
    expect(cfg).not.toHaveProperty('UNRELATED');
  });

  it('names every bad or missing variable', () => {
    try {
      loadEnvConfig(schema, { PORT: '70000', BATCH_SIZE: 'many', PLATFORM_PROFILE: 'staging' });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const vars = (err as ConfigError).problems.map((p) => p.variable).sort();
      expect(vars).toEqual(['BATCH_SIZE', 'DATABASE_URL', 'PLATFORM_PROFILE', 'PORT']);
      expect((err as ConfigError).message).toMatch(/PLATFORM_PROFILE must be one of embedded, production \(got "staging"\)/);
    }
  });

  it('never repeats a secret or a password in a URL when it refuses them', () => {
    try {
      loadEnvConfig(schema, { DATABASE_URL: 'mysql://app:hunter2-db@h/db', NATS_URL: 'nats://svc:hunter2-nats@nats:4222', TRANSPORT_SECRET: 'hunter2-short' });
      throw new Error('expected a ConfigError');
    } catch (err) {
      const message = (err as ConfigError).message;
      expect((err as ConfigError).problems.map((p) => p.variable).sort()).toEqual(['DATABASE_URL', 'NATS_URL', 'TRANSPORT_SECRET']);
      expect(message).not.toMatch(/hunter2/);
      expect(message).toMatch(/TRANSPORT_SECRET must NOT have fewer than 32 characters \(got a value of 13 characters\)/);
    }
  });

  it('parses peer addresses and refuses malformed ones', () => {
    expect(parsePeers('a=127.0.0.1:1,b-c=host:2')).toEqual(
      new Map([
        ['a', { host: '127.0.0.1', port: 1 }],
        ['b-c', { host: 'host', port: 2 }],
      ]),
    );
    expect(() => parsePeers('a=host')).toThrow(/PEERS/);
  });
});
