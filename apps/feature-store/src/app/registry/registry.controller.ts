import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApplyPlan, ApplyRequest } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import { ApiContract, assertProjectAccess, RequireScope, validate } from '@mlp/service-kit';
import { IDENTIFIER } from './feature-ref';
import type { RegistryOwners, RegistrySnapshot } from './apply-plan';
import { FeatureRegistry } from './feature-registry.service';
import { liveVersions } from './version-lifecycle';
import { APPLY_DOC, ENTITIES_DOC, SERVICE_DOC, SERVICES_DOC, VIEW_DOC, VIEWS_DOC } from './registry.docs';

/** The owning project of a registry object, null when none owns it. */
const projectOf = (snap: RegistrySnapshot, kind: keyof RegistryOwners, name: string): string | null => snap.owners?.[kind].get(name) ?? null;

export function checkName(name: string, what: string): string {
  if (!IDENTIFIER.test(name)) throw PlatformError.badRequest(`${what} names are lower-case identifiers`, [{ code: 'INVALID_NAME', message: name.slice(0, 100) }], 'INVALID_NAME');
  return name;
}

@ApiTags('registry')
@Controller('v1')
export class RegistryController {
  constructor(private readonly registry: FeatureRegistry) {}

  @Post('apply')
  @HttpCode(200)
  @RequireScope('admin')
  @ApiContract({ body: ApplyRequest, response: ApplyPlan, ...APPLY_DOC })
  apply(@Body(validate(ApplyRequest)) body: ApplyRequest): Promise<ApplyPlan> {
    // A project-limited token applies only its projects (and never unowned objects), dry runs too.
    assertProjectAccess(body.project);
    return this.registry.apply(body);
  }

  @Get('entities')
  @RequireScope('features:read')
  @ApiContract(ENTITIES_DOC)
  async entities() {
    const snap = await this.registry.snapshot();
    return { entities: [...snap.entities.values()].map((e) => ({ ...e, project: projectOf(snap, 'entities', e.name) })) };
  }

  @Get('feature-views')
  @RequireScope('features:read')
  @ApiContract(VIEWS_DOC)
  async views() {
    const snap = await this.registry.snapshot();
    const statuses = await this.registry.sourceStatuses();
    const feature_views = [...snap.views.values()]
      .filter((v) => !v.removed)
      .map((v) => {
        const st = statuses.find((s) => s.name === v.name && s.version === v.head);
        return {
          ...v.versions.get(v.head)!,
          project: projectOf(snap, 'views', v.name),
          version: v.head,
          versions: [...v.versions.keys()].sort((a, b) => a - b),
          live_versions: liveVersions(v).sort((a, b) => a - b),
          source_status: st?.source_status,
          source_message: st?.source_message ?? null,
        };
      });
    return { feature_views };
  }

  @Get('feature-views/:name')
  @RequireScope('features:read')
  @ApiContract(VIEW_DOC)
  async view(@Param('name') name: string) {
    const snap = await this.registry.snapshot();
    const reg = snap.views.get(checkName(name, 'feature view'));
    if (!reg || reg.removed) throw PlatformError.notFound(`unknown feature view ${name}`, 'UNKNOWN_FEATURE_VIEW');
    const statuses = (await this.registry.sourceStatuses()).filter((s) => s.name === name);
    const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);
    return {
      name,
      project: projectOf(snap, 'views', name),
      version: reg.head,
      versions: [...reg.versions].sort((a, b) => a[0] - b[0]).map(([version, spec]) => {
        const st = statuses.find((s) => s.version === version);
        return {
          version,
          spec,
          source_status: st?.source_status,
          source_message: st?.source_message ?? null,
          source_relations: st?.source_relations ?? [],
          // Served online (materialized, watched for freshness) unless retired; see the README's Versions.
          live: version === reg.head || !reg.retired?.has(version),
          created_at: iso(st?.created_at),
          superseded_at: iso(st?.superseded_at),
          last_online_read_at: iso(st?.last_online_read_at),
          retired_at: iso(st?.retired_at),
          retired_reason: st?.retired_reason ?? null,
        };
      }),
    };
  }

  @Get('feature-services')
  @RequireScope('features:read')
  @ApiContract(SERVICES_DOC)
  async services() {
    const snap = await this.registry.snapshot();
    return { feature_services: [...snap.services.values()].map((x) => ({ ...x, project: projectOf(snap, 'services', x.name) })) };
  }

  @Get('feature-services/:name')
  @RequireScope('features:read')
  @ApiContract(SERVICE_DOC)
  async service(@Param('name') name: string) {
    const snap = await this.registry.snapshot();
    const svc = snap.services.get(checkName(name, 'feature service'));
    if (!svc) throw PlatformError.notFound(`unknown feature service ${name}`, 'UNKNOWN_FEATURE_SERVICE');
    return { ...svc, project: projectOf(snap, 'services', name) };
  }
}
