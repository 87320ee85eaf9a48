import { FeaturesClient } from './features-client.js';
import type { ServiceOptions } from './http-transport.js';
import { ImportsClient } from './imports-client.js';
import { PredictionsClient } from './predictions-client.js';
import { RegistryClient } from './registry-client.js';
import { TrackingClient, type TrackingClientOptions } from './tracking/tracking-client.js';
import { WarehouseClient } from './warehouse-client.js';

export interface PlatformClientOptions extends Omit<ServiceOptions, 'baseUrl'> {
  /** Base URLs of the services this caller talks to; only the clients of those given are created. */
  urls: { dwhIngest?: string; featureStore?: string; trainer?: string; modelServing?: string };
  /** Options of the tracking client's queue (flushAt, retries, callbacks). */
  tracking?: Omit<TrackingClientOptions, 'baseUrl'>;
  /** How long `infer` reuses an alias's version read from the trainer (default 10 s). */
  aliasTtlMs?: number;
}

export interface PlatformClient {
  tracking?: TrackingClient;
  imports?: ImportsClient;
  warehouse?: WarehouseClient;
  features?: FeaturesClient;
  registry?: RegistryClient;
  predictions?: PredictionsClient;
}

/** One client per service, sharing the token, timeouts and headers. */
export function createPlatformClient(options: PlatformClientOptions): PlatformClient {
  const { urls, tracking, aliasTtlMs, ...shared } = options;
  const at = (baseUrl: string): ServiceOptions => ({ ...shared, baseUrl });
  const registry = urls.trainer ? new RegistryClient(at(urls.trainer)) : undefined;
  return {
    tracking: urls.dwhIngest ? new TrackingClient({ ...shared, ...tracking, baseUrl: urls.dwhIngest }) : undefined,
    imports: urls.dwhIngest ? new ImportsClient(at(urls.dwhIngest)) : undefined,
    warehouse: urls.dwhIngest ? new WarehouseClient(at(urls.dwhIngest)) : undefined,
    features: urls.featureStore ? new FeaturesClient(at(urls.featureStore)) : undefined,
    registry,
    predictions: urls.modelServing ? new PredictionsClient({ ...at(urls.modelServing), aliasTtlMs }, registry) : undefined,
  };
}
