import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ErrorCode } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import { Public } from '@mlp/service-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SECURITY_HEADERS, WEB_ASSETS, type WebAsset } from './web-assets';

/**
 * Serves the single-page app: its bundle under /assets, and index.html for every page path (the app
 * routes in the browser), so a bookmarked /models/x loads. The pages need no token to load; what they
 * show comes from /api, which does.
 */
@ApiExcludeController()
@Public()
@Controller()
export class WebController {
  constructor(@Inject(WEB_ASSETS) private readonly assets: Map<string, WebAsset>) {}

  @Get('assets/*')
  asset(@Req() req: FastifyRequest, @Res() reply: FastifyReply): void {
    const asset = this.assets.get(req.url.split('?')[0]);
    if (!asset) throw new PlatformError(404, ErrorCode.ROUTE_NOT_FOUND, `no asset ${req.url.split('?')[0]}`);
    this.send(req, reply, asset);
  }

  @Get()
  index(@Req() req: FastifyRequest, @Res() reply: FastifyReply): void {
    this.send(req, reply, this.indexHtml());
  }

  @Get('*')
  pagePath(@Req() req: FastifyRequest, @Res() reply: FastifyReply): void {
    const path = req.url.split('?')[0];
    // An API path that matched nothing stays a JSON 404, not a page.
    if (path.startsWith('/api/') || path.startsWith('/assets/')) throw new PlatformError(404, ErrorCode.ROUTE_NOT_FOUND, `no route GET ${path}`);
    const file = this.assets.get(path);
    this.send(req, reply, file && path !== '/index.html' ? file : this.indexHtml());
  }

  private indexHtml(): WebAsset {
    return this.assets.get('/index.html') as WebAsset;
  }

  private send(req: FastifyRequest, reply: FastifyReply, asset: WebAsset): void {
    void reply.headers(SECURITY_HEADERS).header('etag', asset.etag).header('content-type', asset.contentType);
    void reply.header('cache-control', asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    if (req.headers['if-none-match'] === asset.etag) {
      void reply.status(304).send();
      return;
    }
    void reply.status(200).send(asset.body);
  }
}
