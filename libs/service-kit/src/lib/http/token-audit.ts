import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { TokenFile, type Logger, type TokenChange } from '@mlp/runtime';
import { Counter, Gauge } from 'prom-client';
import type { PlatformConfig } from '../config/platform-config';
import { PLATFORM_LOGGER } from '../observability/logger.provider';
import { MetricsService } from '../observability/metrics.service';
import { PLATFORM_CONFIG } from '../service-definition';

/** How a request's authentication ended. */
export type AuthOutcome = 'ok' | 'forbidden' | 'missing' | 'unknown';

const LOG_EVERY_MS = 10_000;

/**
 * The audit side of bearer tokens. Every authentication is counted by token name
 * (`auth_requests_total{token,result}`: who still uses a token before it is revoked), refusals are
 * logged with the token's name when it is known (rate-bounded), and a tokens file
 * (AUTH_TOKENS_FILE) is watched: each reload is logged with the names added, removed and changed,
 * an invalid version is logged and counted while the previous tokens stay in force.
 */
@Injectable()
export class TokenAudit implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly requests: Counter<'token' | 'result'>;
  private readonly reloads: Counter<'result'>;
  private readonly recorders = new Map<string, () => void>();
  private readonly lastLogged = new Map<string, { at: number; suppressed: number }>();

  constructor(
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
    @Inject(PLATFORM_LOGGER) private readonly log: Logger,
    metrics: MetricsService,
  ) {
    this.requests = new Counter({
      name: 'auth_requests_total',
      help: 'Authentications by token name and result (ok, forbidden: the token lacks the scope; missing and unknown carry no name)',
      labelNames: ['token', 'result'],
      registers: [metrics.registry],
    });
    this.reloads = new Counter({ name: 'auth_tokens_reloads_total', help: 'Reloads of AUTH_TOKENS_FILE by result (changed, invalid)', labelNames: ['result'], registers: [metrics.registry] });
    const tokens = config.tokens;
    new Gauge({
      name: 'auth_tokens',
      help: 'Bearer tokens in force',
      registers: [metrics.registry],
      collect() {
        this.set(tokens.size);
      },
    });
  }

  /** Called for every authenticated route (the guard's and the fast routes'). */
  record(result: AuthOutcome, token?: string, scope?: string): void {
    const key = `${token ?? ''}\u0000${result}`;
    let inc = this.recorders.get(key);
    if (!inc) {
      // Names are those of configured tokens, so the label set stays bounded.
      const child = this.requests.labels(token ?? '', result);
      this.recorders.set(key, (inc = () => child.inc()));
    }
    inc();
    if (result !== 'ok') this.refused(result, token, scope);
  }

  private refused(result: AuthOutcome, token: string | undefined, scope: string | undefined): void {
    const key = `${result}\u0000${token ?? ''}\u0000${scope ?? ''}`;
    const now = Date.now();
    const last = this.lastLogged.get(key);
    if (last && now - last.at < LOG_EVERY_MS) {
      last.suppressed++;
      return;
    }
    this.lastLogged.set(key, { at: now, suppressed: 0 });
    this.log.warn({ audit: 'auth', result, tokenName: token ?? null, scope: scope ?? null, alsoRefusedSinceLastLine: last?.suppressed ?? 0 }, 'request refused');
  }

  onApplicationBootstrap(): void {
    const tokens = this.config.tokens;
    if (!(tokens instanceof TokenFile)) return;
    this.log.info({ audit: 'auth', file: tokens.file, tokens: tokens.size }, 'auth tokens read from file; watching it for changes');
    tokens.watch({
      intervalMs: this.config.env['AUTH_TOKENS_RELOAD_MS'] as number,
      onChange: (change: TokenChange) => {
        this.reloads.inc({ result: 'changed' });
        this.log.info({ audit: 'auth', file: tokens.file, ...change }, 'auth tokens reloaded');
      },
      onError: (err) => {
        this.reloads.inc({ result: 'invalid' });
        this.log.error({ audit: 'auth', file: tokens.file, err: err.message }, 'auth tokens file is invalid; the previous tokens stay in force');
      },
    });
  }

  onApplicationShutdown(): void {
    if (this.config.tokens instanceof TokenFile) this.config.tokens.close();
  }
}
