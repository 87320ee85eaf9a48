import { Controller, Get, Header, Headers } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { OverviewBoard } from '@mlp/contracts';
import { ApiContract } from '@mlp/service-kit';
import { OverviewService } from './overview.service';
import { OVERVIEW_DOC } from '../console.docs';

@ApiTags('console')
@Controller('api')
export class OverviewController {
  constructor(private readonly overview: OverviewService) {}

  /** Any valid token (the kit's guard). Every service's readiness and every SLA as one red/amber/green board, read with the caller's token. */
  @Get('overview')
  @ApiBearerAuth()
  @Header('cache-control', 'no-store')
  @ApiContract({ response: OverviewBoard, ...OVERVIEW_DOC })
  board(@Headers('authorization') authorization?: string): Promise<OverviewBoard> {
    return this.overview.board(authorization);
  }
}
