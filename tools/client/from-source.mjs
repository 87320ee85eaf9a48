// The platform's typed client (@mlp/client, libs/client) for the plain-Node tools (demo, e2e, bench),
// loaded from its TypeScript sources through the repository's ts-hook: no build step, the same code
// product teams use.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
require('../ts-hook/register.cjs');

/** @type {typeof import('../../libs/client/src/index.ts')} */
const client = require('@mlp/client');

export const { TrackingClient, ImportsClient, PredictionsClient, RegistryClient, WarehouseClient, FeaturesClient, PlatformApiError, createPlatformClient } = client;
