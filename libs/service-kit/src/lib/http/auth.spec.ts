import { Controller, Get } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { ErrorCode } from '@mlp/contracts';
import { PlatformError, requestContext, TokenRegistry } from '@mlp/runtime';
import type { PlatformConfig } from '../config/platform-config';
import { AcceptWriteKey, assertProjectAccess, Public, RequireScope, TokenAuthGuard } from './auth';

const tokens = TokenRegistry.fromEnv(
  JSON.stringify([
    { name: 'reader', token: 'reader-token-0123456789', scopes: ['things:read'] },
    { name: 'writer', token: 'writer-token-0123456789', scopes: ['things:write'] },
  ]),
);
const guard = new TokenAuthGuard(new Reflector(), { authOpen: false, tokens } as unknown as PlatformConfig);

// One handler function shared by two controllers through inheritance, each with its own class-level rule.
class BaseThings {
  @Get()
  list() {
    return [];
  }
}
@RequireScope('things:read')
@Controller('read')
class ReadThings extends BaseThings {}
@Public()
@Controller('open')
class OpenThings extends BaseThings {}
@Controller('write')
class WriteThings {
  @Get()
  @RequireScope('things:write')
  write() {
    return [];
  }
}

@Controller('segment')
class SegmentThings {
  @Get()
  @RequireScope('things:write')
  @AcceptWriteKey()
  ingest() {
    return [];
  }
}

function attempt(controller: object, handler: (...args: never[]) => unknown, authorization?: string, body?: unknown): string {
  const request = { headers: authorization ? { authorization } : {}, body };
  const context = new ExecutionContextHost([request, {}, undefined], controller as never, handler);
  context.setType('http');
  try {
    return requestContext.run({ requestId: 'r1' }, () => (guard.canActivate(context) ? `allowed as ${requestContext.get()?.principal ?? 'anyone'}` : 'refused'));
  } catch (err) {
    return (err as PlatformError).code;
  }
}

describe('token auth guard', () => {
  it('takes a Segment write key (Basic user name, or the body writeKey without a header) only on @AcceptWriteKey routes', () => {
    const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
    const ingest = SegmentThings.prototype.ingest;
    const write = WriteThings.prototype.write;
    expect(attempt(SegmentThings, ingest, basic('writer-token-0123456789'))).toBe('allowed as writer');
    expect(attempt(SegmentThings, ingest, 'Bearer writer-token-0123456789')).toBe('allowed as writer');
    expect(attempt(SegmentThings, ingest, undefined, { writeKey: 'writer-token-0123456789' })).toBe('allowed as writer');
    expect(attempt(SegmentThings, ingest, basic('reader-token-0123456789'))).toBe(ErrorCode.FORBIDDEN);
    expect(attempt(SegmentThings, ingest, basic('writer-token-012345678'))).toBe(ErrorCode.UNAUTHENTICATED);
    expect(attempt(SegmentThings, ingest, undefined, { writeKey: 'wrong-token-0123456789' })).toBe(ErrorCode.UNAUTHENTICATED);
    // A header that is present decides: the body's key is not a second chance.
    expect(attempt(SegmentThings, ingest, basic('wrong-token-0123456789'), { writeKey: 'writer-token-0123456789' })).toBe(ErrorCode.UNAUTHENTICATED);
    expect(attempt(SegmentThings, ingest, undefined, { writeKey: 42 })).toBe(ErrorCode.UNAUTHENTICATED);
    // Routes without @AcceptWriteKey keep bearer tokens only.
    expect(attempt(WriteThings, write, basic('writer-token-0123456789'))).toBe(ErrorCode.UNAUTHENTICATED);
    expect(attempt(WriteThings, write, undefined, { writeKey: 'writer-token-0123456789' })).toBe(ErrorCode.UNAUTHENTICATED);
  });

  it('applies each route its own rule, also when controllers share an inherited handler, however often it is asked', () => {
    const handler = BaseThings.prototype.list;
    for (let round = 0; round < 3; round++) {
      expect(attempt(OpenThings, handler)).toBe('allowed as anyone');
      expect(attempt(ReadThings, handler)).toBe(ErrorCode.UNAUTHENTICATED);
      expect(attempt(ReadThings, handler, 'Bearer reader-token-0123456789')).toBe('allowed as reader');
      expect(attempt(ReadThings, handler, 'Bearer writer-token-0123456789')).toBe(ErrorCode.FORBIDDEN);
      expect(attempt(WriteThings, WriteThings.prototype.write, 'Bearer writer-token-0123456789')).toBe('allowed as writer');
      expect(attempt(WriteThings, WriteThings.prototype.write, 'Bearer reader-token-0123456789')).toBe(ErrorCode.FORBIDDEN);
      expect(attempt(WriteThings, WriteThings.prototype.write, 'Bearer unknown-token-0123456789')).toBe(ErrorCode.UNAUTHENTICATED);
    }
  });
});

describe('assertProjectAccess', () => {
  const as = (projects: string[] | undefined, project: string | null | undefined) => {
    try {
      requestContext.run({ requestId: 'r2', principal: 'team-a-ci', ...(projects ? { projects } : {}) }, () => assertProjectAccess(project));
      return 'allowed';
    } catch (err) {
      const e = err as PlatformError;
      return `${e.status} ${e.details[0]?.code}: ${e.message}`;
    }
  };

  it('lets a project-limited token write only its projects, and never objects without a project', () => {
    expect(as(['team-a', 'team-c'], 'team-a')).toBe('allowed');
    expect(as(['team-a', 'team-c'], 'team-c')).toBe('allowed');
    expect(as(['team-a'], 'team-b')).toBe('403 PROJECT_FORBIDDEN: the token "team-a-ci" is limited to the project(s) team-a, not team-b');
    expect(as(['team-a'], undefined)).toBe('403 PROJECT_FORBIDDEN: the token "team-a-ci" is limited to the project(s) team-a, not objects without a project');
    expect(as(['team-a'], null)).toMatch(/^403 PROJECT_FORBIDDEN/);
  });

  it('does not limit a token without project scopes', () => {
    expect(as(undefined, 'team-b')).toBe('allowed');
    expect(as(undefined, undefined)).toBe('allowed');
  });
});
