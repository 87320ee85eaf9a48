import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from './env-config';
import { TokenRegistry, type TokenGrant, type TokenLookup } from './token-auth';

/** What changed in a reload, by token name (the tokens themselves are never reported). */
export interface TokenChange {
  tokens: string[];
  added: string[];
  removed: string[];
  /** Same name, new secret (a rotation) or new scopes. */
  changed: string[];
}

/**
 * Scoped bearer tokens read from a file (a Kubernetes Secret mounted as a volume) and read again
 * when it changes, so a token is added, rotated or revoked without a restart. The file is a JSON
 * array of `{name, token, scopes}`, like AUTH_TOKENS. A change is noticed through `fs.watch` on the
 * file's directory (Kubernetes swaps a Secret volume's `..data` symlink) and, as a fallback where
 * watching is unreliable (network volumes), by reading the file every `intervalMs`. A file that
 * does not parse leaves the previous tokens in force and is reported; it never opens the service.
 */
export class TokenFile implements TokenLookup {
  private registry: TokenRegistry;
  private digest: string;
  private stopWatching?: () => void;

  private constructor(
    readonly file: string,
    text: string,
  ) {
    this.registry = TokenRegistry.parse(text, 'AUTH_TOKENS_FILE');
    this.digest = hash(text);
  }

  /** Reads the file once; a missing or invalid file is a ConfigError (the service refuses to start). */
  static open(file: string): TokenFile {
    return new TokenFile(file, readText(file));
  }

  get size(): number {
    return this.registry.size;
  }

  authenticate(presented: string): TokenGrant | undefined {
    return this.registry.authenticate(presented);
  }

  /** Reads the file again; returns what changed, or undefined when its content is the same. Throws ConfigError when invalid. */
  reload(): TokenChange | undefined {
    const text = readText(this.file);
    const digest = hash(text);
    if (digest === this.digest) return undefined;
    const next = TokenRegistry.parse(text, 'AUTH_TOKENS_FILE');
    const before = new Map(this.registry.grants().map((g) => [g.name, g]));
    const after = next.grants();
    const change: TokenChange = {
      tokens: after.map((g) => g.name),
      added: after.filter((g) => !before.has(g.name)).map((g) => g.name),
      removed: [...before.keys()].filter((n) => !after.some((g) => g.name === n)),
      changed: after
        .filter((g) => before.has(g.name))
        .filter((g) => !next.sameToken(g.name, this.registry) || before.get(g.name)?.scopes.join(' ') !== g.scopes.join(' '))
        .map((g) => g.name),
    };
    this.registry = next;
    this.digest = digest;
    return change;
  }

  /** Starts watching; `onChange` gets each effective change, `onError` each unreadable or invalid version. */
  watch(options: { intervalMs: number; onChange: (change: TokenChange) => void; onError: (err: Error) => void }): void {
    this.stopWatching?.();
    let timer: NodeJS.Timeout | undefined;
    const check = () => {
      try {
        const change = this.reload();
        if (change) options.onChange(change);
      } catch (err) {
        options.onError(err as Error);
      }
    };
    const soon = () => {
      // Several events arrive for one update (the symlink swap, the old directory's removal).
      if (timer) clearTimeout(timer);
      timer = setTimeout(check, 50);
      timer.unref();
    };
    let watcher: fs.FSWatcher | undefined;
    try {
      watcher = fs.watch(path.dirname(this.file), { persistent: false }, soon);
      watcher.on('error', () => undefined); // the poll below still notices changes
    } catch {
      watcher = undefined;
    }
    const poll = setInterval(check, options.intervalMs);
    poll.unref();
    this.stopWatching = () => {
      watcher?.close();
      clearInterval(poll);
      if (timer) clearTimeout(timer);
      this.stopWatching = undefined;
    };
  }

  close(): void {
    this.stopWatching?.();
  }
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([{ variable: 'AUTH_TOKENS_FILE', message: `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}: ${file})` }]);
  }
}

const hash = (text: string) => createHash('sha256').update(text).digest('hex');
