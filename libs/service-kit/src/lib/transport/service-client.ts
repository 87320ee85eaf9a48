import { type ClientProxy, ClientProxyFactory } from '@nestjs/microservices';
import {
  ErrorCode,
  type EventContract,
  type MessageContract,
  type PayloadOf,
  type ReplyOf,
  type RequestOf,
} from '@mlp/contracts';
import { PlatformError, requestContext } from '@mlp/runtime';
import { randomUUID } from 'node:crypto';
import { firstValueFrom, timeout } from 'rxjs';
import { signMeta, transportKey } from './transport-auth';
import { clientCredentials, clientTransportOptions, type ClientConfig } from './transport-options';

/**
 * A typed client for another service. Requests are validated before they leave and replies when
 * they arrive; the current request id travels in the envelope, which is signed for the peer when
 * the platform has a transport secret. Failures come back as PlatformErrors: the peer's own error
 * shape when it answered, 503 when it could not be reached in time.
 */
export class ServiceClient {
  private readonly proxy: ClientProxy;
  private readonly key?: Buffer;

  constructor(
    readonly peer: string,
    private readonly caller: string,
    /** Only the transport settings and peer addresses are read, so a worker thread is given just those. */
    private readonly config: ClientConfig,
  ) {
    this.proxy = ClientProxyFactory.create(clientTransportOptions(peer, config, caller));
    const secret = clientCredentials(config).secret;
    this.key = secret ? transportKey(secret) : undefined;
  }

  private envelope(pattern: string, data: unknown) {
    const meta = { requestId: requestContext.requestId() ?? randomUUID(), caller: this.caller, sentAt: new Date().toISOString() };
    return { meta: this.key ? signMeta(this.key, pattern, { ...meta, to: this.peer }, data) : meta, data };
  }

  async send<M extends MessageContract>(contract: M, request: RequestOf<M>, timeoutMs?: number): Promise<ReplyOf<M>> {
    contract.request.parse(request);
    let reply: unknown;
    try {
      reply = await firstValueFrom(
        this.proxy.send(contract.pattern, this.envelope(contract.pattern, request)).pipe(timeout(timeoutMs ?? this.config.env.PEER_TIMEOUT_MS)),
      );
    } catch (err) {
      throw toPeerError(this.peer, err);
    }
    const checked = contract.reply.validate(reply);
    if (!checked.ok) {
      throw new PlatformError(502, 'BAD_PEER_REPLY', `${this.peer} answered ${contract.pattern} outside its contract`, checked.violations);
    }
    return checked.value as ReplyOf<M>;
  }

  /** Publishes an event; resolves once the transport has taken it. */
  async emit<E extends EventContract>(contract: E, payload: PayloadOf<E>): Promise<void> {
    contract.payload.parse(payload);
    try {
      await firstValueFrom(this.proxy.emit(contract.pattern, this.envelope(contract.pattern, payload)).pipe(timeout(this.config.env.PEER_TIMEOUT_MS)), {
        defaultValue: undefined,
      });
    } catch (err) {
      throw toPeerError(this.peer, err);
    }
  }

  async close(): Promise<void> {
    await this.proxy.close();
  }
}

function toPeerError(peer: string, err: unknown): PlatformError {
  const e = err as { code?: unknown; status?: unknown; error?: unknown; details?: unknown; name?: unknown; message?: unknown };
  // The peer answered with our error shape: keep its status and code.
  if (e && typeof e.code === 'string' && typeof e.error === 'string') {
    const status = typeof e.status === 'number' ? e.status : 502;
    return new PlatformError(status, e.code, `${peer}: ${e.error}`, Array.isArray(e.details) ? (e.details as []) : []);
  }
  if (e?.name === 'TimeoutError') {
    return new PlatformError(503, ErrorCode.DEPENDENCY_UNAVAILABLE, `${peer} did not answer in time`, [
      { code: ErrorCode.TIMEOUT, message: `${peer} timed out` },
    ]);
  }
  return PlatformError.unavailable(peer, err);
}
