import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { ErrorCode } from '@mlp/contracts';
import { PlatformError, type Logger } from '@mlp/runtime';
import { Counter } from 'prom-client';
import { EMPTY, type Observable } from 'rxjs';
import type { PlatformConfig } from '../config/platform-config';
import { PLATFORM_LOGGER } from '../observability/logger.provider';
import { MetricsService } from '../observability/metrics.service';
import { PLATFORM_CONFIG, SERVICE_DEFINITION, type ServiceDefinition } from '../service-definition';
import { TRANSPORT_HANDLER, type TransportHandlerMeta } from './message-handler';
import { transportKey, TransportVerifier, type RefusalReason } from './transport-auth';

const LOG_EVERY_MS = 10_000;

/**
 * Verifies every transport message before its handler runs (see transport-auth.ts), when the
 * platform has a transport secret. A refused request is answered 401 (403 for a sender that may not
 * send it) and never reaches its handler; a refused event is dropped. Both are counted in
 * `transport_messages_refused_total{reason,pattern}` and logged (at most one line per reason and
 * pattern every 10 s, with the count it stands for, so a flood cannot flood the logs).
 */
@Injectable()
export class TransportAuthInterceptor implements NestInterceptor {
  private readonly verifier?: TransportVerifier;
  private readonly refused: Counter<'reason' | 'pattern'>;
  private readonly lastLogged = new Map<string, { at: number; suppressed: number }>();

  constructor(
    @Inject(SERVICE_DEFINITION) private readonly def: ServiceDefinition,
    @Inject(PLATFORM_CONFIG) config: PlatformConfig,
    @Inject(PLATFORM_LOGGER) private readonly log: Logger,
    metrics: MetricsService,
  ) {
    const secret = config.credentials.secret;
    const previous = config.env['TRANSPORT_SECRET_PREVIOUS'] as string | undefined;
    if (secret) {
      this.verifier = new TransportVerifier({
        key: transportKey(secret),
        previousKey: previous ? transportKey(previous) : undefined,
        self: def.name,
        windowMs: config.env.TRANSPORT_REPLAY_WINDOW_MS as number,
      });
    }
    this.refused = new Counter({
      name: 'transport_messages_refused_total',
      help: 'Transport messages refused before their handler ran, by reason (unsigned, bad_signature, stale, replayed, unauthorized_sender, misaddressed, malformed)',
      labelNames: ['reason', 'pattern'],
      registers: [metrics.registry],
    });
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!this.verifier || context.getType() !== 'rpc') return next.handle();
    const handler = Reflect.getMetadata(TRANSPORT_HANDLER, context.getHandler()) as TransportHandlerMeta | undefined;
    const rpc = context.switchToRpc();
    const pattern = handler?.pattern ?? patternOf(rpc.getContext());
    const kind = handler?.kind ?? 'message';
    const verdict = this.verifier.check(pattern, rpc.getData(), kind);
    if (verdict.accept) return next.handle();
    if (verdict.ignore) return EMPTY;
    this.refuse(pattern, verdict.reason, verdict.caller);
    if (kind === 'event') return EMPTY;
    if (verdict.reason === 'unauthorized_sender') {
      throw new PlatformError(403, ErrorCode.FORBIDDEN, `${this.def.name} does not accept ${pattern} from ${verdict.caller}`, [{ code: 'UNAUTHORIZED_SENDER', message: verdict.reason }]);
    }
    throw new PlatformError(401, ErrorCode.UNAUTHENTICATED, `${this.def.name} refused an unauthenticated ${pattern} message`, [{ code: 'TRANSPORT_REFUSED', message: verdict.reason }]);
  }

  private refuse(pattern: string, reason: RefusalReason, caller: string | undefined): void {
    this.refused.inc({ reason, pattern });
    const key = `${reason}\u0000${pattern}`;
    const now = Date.now();
    const last = this.lastLogged.get(key);
    if (last && now - last.at < LOG_EVERY_MS) {
      last.suppressed++;
      return;
    }
    this.lastLogged.set(key, { at: now, suppressed: 0 });
    // The claimed caller is shown as a claim: a refused message proves nothing about who sent it.
    this.log.warn({ pattern, reason, claimedCaller: caller ?? null, alsoRefusedSinceLastLine: last?.suppressed ?? 0 }, 'transport message refused');
  }
}

/** The pattern a message arrived on, from the transport's context (NATS subject, TCP pattern). */
function patternOf(ctx: unknown): string {
  const c = ctx as { getSubject?: () => string; getPattern?: () => string } | undefined;
  return String(c?.getSubject?.() ?? c?.getPattern?.() ?? 'unknown');
}
