import { FeaturesClient, ImportsClient, PredictionsClient, RegistryClient, WarehouseClient, type ServiceOptions } from '@mlp/client';
import { consoleFetch, currentToken } from './api';

// The services as the pages reach them: @mlp/client's typed clients pointed at the console's
// `/api/<service>` routes (the console checks the route and scope and passes the call on), so the
// pages use the same calls as every other consumer of the platform instead of hand-written requests.
const through = (service: string): ServiceOptions => ({ baseUrl: `/api/${service}`, token: currentToken, fetch: consoleFetch, timeoutMs: 60_000 });

export const warehouse = new WarehouseClient(through('dwh-ingest'));
export const imports = new ImportsClient(through('dwh-ingest'));
export const features = new FeaturesClient(through('feature-store'));
export const registry = new RegistryClient(through('trainer'));
export const predictions = new PredictionsClient(through('model-serving'));
