import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { PlatformError } from '@mlp/runtime';
import { ApiContract, RequireScope } from '@mlp/service-kit';
import { checkName } from '../registry/registry.controller';
import { VersionRetirementService } from './version-retirement.service';
import { RESTORE_DOC, RETIRE_DOC } from './versions.docs';

function checkVersion(version: string): number {
  if (!/^[0-9]{1,6}$/.test(version) || Number(version) < 1) throw PlatformError.badRequest('version is a positive integer', [], 'INVALID_VERSION');
  return Number(version);
}

@ApiTags('registry')
@Controller('v1')
export class VersionsController {
  constructor(private readonly retirement: VersionRetirementService) {}

  /** Stops serving an older version online (its online values are deleted); it stays readable offline. */
  @Post('feature-views/:name/versions/:version/retire')
  @HttpCode(200)
  @RequireScope('admin')
  @ApiContract(RETIRE_DOC)
  retire(@Param('name') name: string, @Param('version') version: string) {
    return this.retirement.retire(checkName(name, 'feature view'), checkVersion(version));
  }

  /** Serves a retired version online again and starts its materialization. */
  @Post('feature-views/:name/versions/:version/restore')
  @HttpCode(200)
  @RequireScope('admin')
  @ApiContract(RESTORE_DOC)
  restore(@Param('name') name: string, @Param('version') version: string) {
    return this.retirement.restore(checkName(name, 'feature view'), checkVersion(version));
  }
}
