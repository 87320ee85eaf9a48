import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from './env-config';
import { TokenFile, type TokenChange } from './token-file';

const ops = { name: 'ops', token: 'ops-token-0123456789abcdef', scopes: ['admin'] };
const ingest = { name: 'ingest', token: 'ingest-token-0123456789ab', scopes: ['ingest:write'] };

/** A Secret volume as the kubelet writes it: the file is a symlink through `..data`, swapped atomically on update. */
class SecretVolume {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlp-secret-'));
  readonly file = path.join(this.dir, 'auth-tokens.json');
  private version = 0;

  write(content: unknown): void {
    const next = `..2026_03_01_12_00_0${this.version++}`;
    fs.mkdirSync(path.join(this.dir, next));
    fs.writeFileSync(path.join(this.dir, next, 'auth-tokens.json'), typeof content === 'string' ? content : JSON.stringify(content));
    const old = fs.existsSync(path.join(this.dir, '..data')) ? fs.readlinkSync(path.join(this.dir, '..data')) : undefined;
    fs.symlinkSync(next, path.join(this.dir, '..data_tmp'));
    fs.renameSync(path.join(this.dir, '..data_tmp'), path.join(this.dir, '..data'));
    if (!fs.existsSync(this.file)) fs.symlinkSync('..data/auth-tokens.json', this.file);
    if (old) fs.rmSync(path.join(this.dir, old), { recursive: true });
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

async function until<T>(get: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('not in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('tokens from a mounted Secret file', () => {
  let volume: SecretVolume;
  let tokens: TokenFile | undefined;
  const errorsSeen: Error[] = [];
  beforeEach(() => {
    volume = new SecretVolume();
    errorsSeen.length = 0;
  });
  afterEach(() => {
    tokens?.close();
    volume.remove();
    expect(errorsSeen).toEqual([]);
  });

  it('refuses to start on a missing or invalid file, naming the variable and never the token', () => {
    expect(() => TokenFile.open(volume.file)).toThrow(ConfigError);
    volume.write('[{"name": "ops", "token": "ops-token-0123456789abcdef", "scopes": ["admin"]');
    expect(() => TokenFile.open(volume.file)).toThrow(/AUTH_TOKENS_FILE is not valid JSON/);
    volume.write([{ ...ops, scopes: [] }]);
    const err = (() => {
      try {
        TokenFile.open(volume.file);
        return undefined;
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err?.message).toMatch(/AUTH_TOKENS_FILE entry 0 \(ops\): scopes/);
    expect(err?.message).not.toContain(ops.token);
  });

  it('notices the kubelet swapping the Secret within a second: a revoked token stops working, a new one starts', async () => {
    volume.write([ops, ingest]);
    tokens = TokenFile.open(volume.file);
    expect(tokens.authenticate(ingest.token)?.name).toBe('ingest');
    const changes: TokenChange[] = [];
    // A poll of a minute: what happens within the second is fs.watch's doing.
    tokens.watch({ intervalMs: 60_000, onChange: (c) => changes.push(c), onError: (e) => errorsSeen.push(e) });
    const rotated = { ...ops, token: 'ops-token-rotated-0123456789' };
    volume.write([rotated, { name: 'ci', token: 'ci-token-0123456789abcdef', scopes: ['models:read'] }]);
    const change = await until(() => changes[0], 1000);
    expect(change).toEqual({ tokens: ['ops', 'ci'], added: ['ci'], removed: ['ingest'], changed: ['ops'] });
    expect(tokens.authenticate(ingest.token)).toBeUndefined();
    expect(tokens.authenticate(ops.token)).toBeUndefined();
    expect(tokens.authenticate(rotated.token)?.name).toBe('ops');
    expect(tokens.authenticate('ci-token-0123456789abcdef')).toEqual({ name: 'ci', scopes: ['models:read'] });
  });

  it('finds a change by reading the file again where watching sees nothing, and ignores a rewrite of the same content', async () => {
    volume.write([ops]);
    tokens = TokenFile.open(volume.file);
    expect(tokens.reload()).toBeUndefined();
    // Written in place (no symlink swap, as some volume plugins do), then found by the poll.
    const changes: TokenChange[] = [];
    tokens.watch({ intervalMs: 100, onChange: (c) => changes.push(c), onError: (e) => errorsSeen.push(e) });
    fs.writeFileSync(fs.realpathSync(volume.file), JSON.stringify([ops, ingest]));
    expect(await until(() => changes[0], 2000)).toMatchObject({ added: ['ingest'] });
  });

  it('keeps the previous tokens in force when the new file is invalid, and reports it', async () => {
    volume.write([ops]);
    tokens = TokenFile.open(volume.file);
    const errors: Error[] = [];
    tokens.watch({ intervalMs: 100, onChange: () => undefined, onError: (e) => errors.push(e) });
    volume.write('not json at all');
    const err = await until(() => errors[0], 2000);
    expect(err.message).toMatch(/AUTH_TOKENS_FILE is not valid JSON/);
    expect(tokens.authenticate(ops.token)?.name).toBe('ops');
  });
});
