import { Body, Controller, Post, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HistoricalFeaturesRequest } from '@mlp/contracts';
import { ApiContract, RequireScope, validate } from '@mlp/service-kit';
import type { FastifyReply } from 'fastify';
import { HistoricalFeaturesService } from './historical-features.service';
import { HISTORICAL_DOC } from './historical-features.docs';

@ApiTags('training sets')
@Controller('v1')
export class HistoricalFeaturesController {
  constructor(private readonly trainingSets: HistoricalFeaturesService) {}

  /** Streams the training set; NDJSON ends with a `_metadata` line, CSV carries the fingerprint as trailers. */
  @Post('historical-features')
  @RequireScope('features:read')
  @ApiContract({ body: HistoricalFeaturesRequest, ...HISTORICAL_DOC })
  async historical(@Body(validate(HistoricalFeaturesRequest)) body: HistoricalFeaturesRequest, @Res() reply: FastifyReply): Promise<void> {
    const set = await this.trainingSets.trainingSet(body);
    // Written to the raw response: trailers must follow the last chunk, which Fastify's stream
    // sending cannot guarantee for asynchronously computed values.
    reply.hijack();
    const raw = reply.raw;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(reply.getHeaders())) if (v !== undefined) headers[k] = String(v);
    raw.writeHead(200, {
      ...headers,
      'content-type': set.contentType,
      'x-dataset-rows': String(set.rows),
      'x-dataset-columns': set.columns.join(','),
      'x-feature-view-versions': set.viewVersions.join(','),
      trailer: 'x-dataset-fingerprint, x-dataset-rows',
    });
    raw.on('close', () => {
      if (!raw.writableFinished) set.body.destroy();
    });
    set.body.on('error', () => raw.destroy());
    set.body.on('end', () => {
      void set.fingerprint.then(
        (fp) => {
          raw.addTrailers({ 'x-dataset-fingerprint': fp, 'x-dataset-rows': String(set.rows) });
          raw.end();
        },
        () => raw.destroy(),
      );
    });
    set.body.pipe(raw, { end: false });
  }
}
