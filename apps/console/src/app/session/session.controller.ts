import { Controller, Get, Header, Headers, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ConsoleSession } from '@mlp/contracts';
import { bearerToken } from '@mlp/runtime';
import { ApiContract, PLATFORM_CONFIG, type PlatformConfig } from '@mlp/service-kit';
import { SESSION_DOC } from '../console.docs';

@ApiTags('console')
@Controller('api')
export class SessionController {
  constructor(@Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig) {}

  /**
   * Who the caller's token is and what it may do. The kit's guard has already refused a missing or
   * unknown token (401), so a signed-in page always has a name and scopes here.
   */
  @Get('session')
  @ApiBearerAuth()
  @Header('cache-control', 'no-store')
  @ApiContract({ response: ConsoleSession, ...SESSION_DOC })
  session(@Headers('authorization') authorization?: string): ConsoleSession {
    const profile = this.config.profile;
    if (this.config.authOpen) return { name: 'anonymous', scopes: ['admin'], authRequired: false, profile };
    const grant = this.config.tokens.authenticate(bearerToken(authorization) ?? '');
    // Unreachable without a grant (the guard ran first); answered as the guard would, never as a 500.
    if (!grant) return { name: 'unknown', scopes: [], authRequired: true, profile };
    return { name: grant.name, scopes: grant.scopes, authRequired: true, profile };
  }
}
