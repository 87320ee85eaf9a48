import { createHash, timingSafeEqual } from 'node:crypto';
import { ConfigError } from './env-config';

/**
 * Scoped bearer tokens. Tokens are compared as sha256 digests with timingSafeEqual, against every
 * configured token without an early exit, so neither the length nor the position of a match leaks.
 * Scopes look like `ingest:write`; `admin` grants everything and `area:*` every scope of an area.
 */
export interface TokenGrant {
  name: string;
  scopes: string[];
}

interface StoredToken extends TokenGrant {
  digest: Buffer;
}

const SCOPE = /^(admin|[a-z][a-z0-9-]*:([a-z][a-z0-9-]*|\*))$/;

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** What authentication needs of a set of tokens: a fixed registry, or one reloaded from a file. */
export interface TokenLookup {
  readonly size: number;
  authenticate(presented: string): TokenGrant | undefined;
}

export class TokenRegistry implements TokenLookup {
  private constructor(private readonly tokens: StoredToken[]) {}

  static fromEnv(raw: string | undefined): TokenRegistry {
    return TokenRegistry.parse(raw, 'AUTH_TOKENS');
  }

  /**
   * Parses a JSON array of `{name, token, scopes}`. Problems name the entry and the token's name,
   * never the token, and a JSON syntax error is not quoted (it would show a piece of the text).
   */
  static parse(raw: string | undefined, variable: string): TokenRegistry {
    if (raw === undefined || raw.trim() === '') return new TokenRegistry([]);
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new ConfigError([{ variable, message: 'is not valid JSON (expected an array of {name, token, scopes})' }]);
    }
    if (!Array.isArray(parsed)) throw new ConfigError([{ variable, message: 'must be a JSON array' }]);
    const names = new Set<string>();
    const tokens = parsed.map((entry: unknown, i) => {
      const e = entry as { name?: unknown; token?: unknown; scopes?: unknown };
      const where = `entry ${i}`;
      if (typeof e?.name !== 'string' || !/^[\w.-]{1,64}$/.test(e.name)) throw new ConfigError([{ variable, message: `${where}: name must be 1-64 word characters` }]);
      if (names.has(e.name)) throw new ConfigError([{ variable, message: `${where}: duplicate name ${e.name}` }]);
      names.add(e.name);
      if (typeof e.token !== 'string' || e.token.length < 16)
        throw new ConfigError([{ variable, message: `${where} (${e.name}): token must be at least 16 characters` }]);
      if (!Array.isArray(e.scopes) || e.scopes.length === 0 || !e.scopes.every((s) => typeof s === 'string' && SCOPE.test(s)))
        throw new ConfigError([{ variable, message: `${where} (${e.name}): scopes must be a non-empty list like ["ingest:write"]` }]);
      return { name: e.name, scopes: e.scopes as string[], digest: digest(e.token) };
    });
    return new TokenRegistry(tokens);
  }

  get size(): number {
    return this.tokens.length;
  }

  /** Each token's name and scopes (never the token). */
  grants(): TokenGrant[] {
    return this.tokens.map((t) => ({ name: t.name, scopes: [...t.scopes] }));
  }

  /** Whether a token of this name has the same secret in another registry (a rotation changes it). */
  sameToken(name: string, other: TokenRegistry): boolean {
    const a = this.tokens.find((t) => t.name === name);
    const b = other.tokens.find((t) => t.name === name);
    return !!a && !!b && timingSafeEqual(a.digest, b.digest);
  }

  /** Finds the grant for a presented token, in time independent of which token (if any) matches. */
  authenticate(presented: string): TokenGrant | undefined {
    const d = digest(presented);
    let found: StoredToken | undefined;
    for (const t of this.tokens) {
      if (timingSafeEqual(t.digest, d) && !found) found = t;
    }
    return found ? { name: found.name, scopes: [...found.scopes] } : undefined;
  }
}

export function hasScope(granted: readonly string[], required: string): boolean {
  const area = required.split(':')[0];
  return granted.some((s) => s === 'admin' || s === required || s === `${area}:*`);
}

/** Extracts the token from an Authorization header value, or undefined when it is not a bearer token. */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const m = value ? /^Bearer\s+(\S+)\s*$/i.exec(value) : null;
  return m?.[1];
}

/**
 * The write key of Segment's HTTP API convention, `Authorization: Basic base64(writeKey + ':')`: the
 * user name of a Basic header (the password, empty in Segment's convention, is ignored), or
 * undefined when the header is not a well-formed Basic header with a user name. The key is then
 * looked up like a bearer token (the same registry, scopes and constant-time comparison).
 */
export function basicWriteKey(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const m = value ? /^Basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(value) : null;
  if (!m) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = colon < 0 ? decoded : decoded.slice(0, colon);
  return user.length ? user : undefined;
}
