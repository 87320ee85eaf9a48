import {
  applyDecorators,
  CanActivate,
  ExecutionContext,
  Inject,
  Injectable,
  Optional,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ErrorCode } from '@mlp/contracts';
import { basicWriteKey, bearerToken, hasScope, PlatformError, requestContext } from '@mlp/runtime';
import type { FastifyRequest } from 'fastify';
import { PLATFORM_CONFIG } from '../service-definition';
import type { PlatformConfig } from '../config/platform-config';
import { TokenAudit } from './token-audit';

const SCOPES = 'mlp:scopes';
const PUBLIC = 'mlp:public';
const WRITE_KEY = 'mlp:write-key';

/** The route needs a token holding this scope (or `admin`, or `<area>:*`). */
export const RequireScope = (scope: string) =>
  applyDecorators(
    SetMetadata(SCOPES, scope),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'missing or unknown token (UNAUTHENTICATED)' }),
    ApiForbiddenResponse({ description: `token lacks scope ${scope} (FORBIDDEN)` }),
  );

const PROJECT_SCOPE = 'project:';

/**
 * A token holding `project:<name>` scopes may change only those projects' objects (an admin token
 * limited to one team); a token without any is not limited. Call it wherever a request names the
 * project whose objects it writes or removes. No project (`undefined`/`null`: the request writes
 * objects that no project owns) is outside every project, so a project-limited token may not.
 */
export function assertProjectAccess(project: string | null | undefined): void {
  const allowed = requestContext.get()?.projects;
  if (allowed && (project == null || !allowed.includes(project))) {
    const what = project == null ? 'objects without a project' : project;
    throw new PlatformError(403, ErrorCode.FORBIDDEN, `the token "${requestContext.get()?.principal}" is limited to the project(s) ${allowed.join(', ')}, not ${what}`, [
      { code: 'PROJECT_FORBIDDEN', message: project ?? '' },
    ]);
  }
}

/**
 * The route also takes Segment's write-key credentials (for Segment-compatible ingestion): a token
 * presented as `Authorization: Basic base64(token + ':')`, or, when the request has no
 * Authorization header, as the JSON body's `writeKey` field (what Segment's libraries send). The
 * token is checked exactly like a bearer token: same registry, scopes and constant-time comparison.
 */
export const AcceptWriteKey = () => SetMetadata(WRITE_KEY, true);

/**
 * The write key a request presents (see AcceptWriteKey): the user name of a Basic Authorization
 * header, else the body's string `writeKey` when there is no Authorization header at all.
 */
export function presentedWriteKey(authorization: string | undefined, body: unknown): string | undefined {
  if (authorization !== undefined) return basicWriteKey(authorization);
  const key = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>)['writeKey'] : undefined;
  return typeof key === 'string' && key.length ? key : undefined;
}

/** Probes, metrics and docs answer without a token. */
export const Public = () => SetMetadata(PUBLIC, true);

/**
 * Authenticates every HTTP route: open only in the embedded profile with no tokens configured;
 * otherwise a valid bearer token is needed everywhere except @Public routes, and @RequireScope
 * routes need the scope too.
 */
interface RouteAuth {
  isPublic: boolean;
  scope: string | undefined;
  writeKey: boolean;
}

/**
 * The token and scope checks of one request (the guard's, and the kit's fast routes'): open only in
 * the embedded profile without tokens; otherwise a valid bearer token, holding `scope` when given.
 * `writeKey`: on an @AcceptWriteKey route, the request's body, so a write key (Basic header or body
 * `writeKey`) is taken as the token when there is no bearer token.
 */
export function authorize(config: PlatformConfig, authorization: string | undefined, scope: string | undefined, audit?: TokenAudit, writeKey?: { body: unknown }): void {
  if (config.authOpen) return;
  const bearer = bearerToken(authorization);
  const token = bearer ?? (writeKey ? presentedWriteKey(authorization, writeKey.body) : undefined);
  const what = bearer || !writeKey ? 'bearer token' : 'write key';
  if (!token) {
    audit?.record('missing', undefined, scope);
    throw new PlatformError(401, ErrorCode.UNAUTHENTICATED, writeKey ? 'a bearer token or a write key is required' : 'a bearer token is required');
  }
  const grant = config.tokens.authenticate(token);
  if (!grant) {
    audit?.record('unknown', undefined, scope);
    throw new PlatformError(401, ErrorCode.UNAUTHENTICATED, `the ${what} is not valid`);
  }
  const ctx = requestContext.get();
  if (ctx) {
    ctx.principal = grant.name;
    const projects = grant.scopes.filter((s) => s.startsWith(PROJECT_SCOPE)).map((s) => s.slice(PROJECT_SCOPE.length));
    if (projects.length) ctx.projects = projects;
  }
  if (scope && !hasScope(grant.scopes, scope)) {
    audit?.record('forbidden', grant.name, scope);
    throw new PlatformError(403, ErrorCode.FORBIDDEN, `the token "${grant.name}" lacks the scope ${scope}`, [{ code: 'MISSING_SCOPE', message: scope }]);
  }
  audit?.record('ok', grant.name);
}

@Injectable()
export class TokenAuthGuard implements CanActivate {
  /** handler -> controller class -> what the route needs; metadata is fixed once the app is built. */
  private readonly routes = new WeakMap<object, WeakMap<object, RouteAuth>>();

  constructor(
    private readonly reflector: Reflector,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
    @Optional() private readonly audit?: TokenAudit,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const route = this.routeAuth(context.getHandler(), context.getClass());
    if (route.isPublic) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    authorize(this.config, request.headers.authorization, route.scope, this.audit, route.writeKey ? { body: request.body } : undefined);
    return true;
  }

  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  private routeAuth(handler: Function, controller: Function): RouteAuth {
    let byClass = this.routes.get(handler);
    if (!byClass) this.routes.set(handler, (byClass = new WeakMap()));
    let route = byClass.get(controller);
    if (!route) {
      const targets = [handler, controller];
      route = {
        isPublic: this.reflector.getAllAndOverride<boolean>(PUBLIC, targets) === true,
        scope: this.reflector.getAllAndOverride<string | undefined>(SCOPES, targets),
        writeKey: this.reflector.getAllAndOverride<boolean>(WRITE_KEY, targets) === true,
      };
      byClass.set(controller, route);
    }
    return route;
  }
}
