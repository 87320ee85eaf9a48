import { PLATFORM_CONFIG, type PlatformConfig } from '@mlp/service-kit';
import path from 'node:path';
import type { Upstream } from './upstream/console-routes';

/** The console's own settings, read once from the validated environment. */
export interface ConsoleConfig {
  /** Base URL of each service's HTTP API (no trailing slash). */
  upstreams: Record<Upstream, string>;
  upstreamTimeoutMs: number;
  /** The built single-page app: index.html and assets/. */
  webDir: string;
}

export const CONSOLE_CONFIG = Symbol('CONSOLE_CONFIG');

// The build puts the bundle in dist/apps/console/web and this file in
// dist/apps/console/apps/console/src/app/, the image in /app/web and /app/apps/console/src/app/.
const DEFAULT_WEB_DIR = path.resolve(__dirname, '../../../../web');

export function consoleConfigFrom(platform: PlatformConfig): ConsoleConfig {
  const env = platform.env as PlatformConfig['env'] & {
    DWH_INGEST_URL: string;
    FEATURE_STORE_URL: string;
    TRAINER_URL: string;
    MODEL_SERVING_URL: string;
    CONSOLE_UPSTREAM_TIMEOUT_MS: number;
    CONSOLE_WEB_DIR?: string;
  };
  const base = (u: string) => u.replace(/\/+$/, '');
  return {
    upstreams: {
      'dwh-ingest': base(env.DWH_INGEST_URL),
      'feature-store': base(env.FEATURE_STORE_URL),
      trainer: base(env.TRAINER_URL),
      'model-serving': base(env.MODEL_SERVING_URL),
    },
    upstreamTimeoutMs: env.CONSOLE_UPSTREAM_TIMEOUT_MS,
    webDir: env.CONSOLE_WEB_DIR ? path.resolve(env.CONSOLE_WEB_DIR) : DEFAULT_WEB_DIR,
  };
}

export const consoleConfigProvider = { provide: CONSOLE_CONFIG, useFactory: consoleConfigFrom, inject: [PLATFORM_CONFIG] };
