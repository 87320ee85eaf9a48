import { Module } from '@nestjs/common';
import { consoleConfigProvider } from './console-config';
import { OverviewController } from './overview/overview.controller';
import { OverviewService } from './overview/overview.service';
import { SessionController } from './session/session.controller';
import { ApiProxyController } from './upstream/api-proxy.controller';
import { UpstreamClient } from './upstream/upstream-client';
import { webAssetsProvider } from './web/web-assets';
import { WebController } from './web/web.controller';

/**
 * The console: a single-page app and the API behind it. It owns no data; every answer comes from the
 * four services' public HTTP APIs, called from here with the signed-in user's token.
 */
@Module({
  // The web controller's catch-all page route is registered last, after every /api route.
  controllers: [SessionController, OverviewController, ApiProxyController, WebController],
  providers: [consoleConfigProvider, webAssetsProvider, UpstreamClient, OverviewService],
})
export class AppModule {}
