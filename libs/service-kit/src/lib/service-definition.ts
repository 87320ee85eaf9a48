import type { MessageContract, ServiceName } from '@mlp/contracts';
import type { TProperties } from '@sinclair/typebox';
import type { MixedList } from 'typeorm';

/** Everything the kit needs to know about a service; a new service is this object plus its features. */
export interface ServiceDefinition<Extra extends TProperties = TProperties> {
  name: ServiceName | string;
  version: string;
  description: string;
  /** The PostgreSQL schema the service owns. Lower-case identifier. */
  schema: string;
  httpPort: number;
  tcpPort: number;
  /** Versioned TypeORM migrations, oldest first. */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities?: MixedList<Function>;
  /** The info message contract this service answers. */
  info: MessageContract;
  /** Other services this one calls over the transport, by name. */
  peers?: Array<{ name: string; info: MessageContract }>;
  /** Service-specific environment variables, validated at start with the common ones. */
  env?: Extra;
  /**
   * Checks of the validated environment that a schema cannot express (e.g. that a package a
   * variable asks for is installed). Each problem stops the start before anything is opened,
   * naming its variable, like a schema violation.
   */
  checkEnv?: (env: Record<string, unknown>) => Array<{ variable: string; message: string }>;
}

export const SERVICE_DEFINITION = Symbol('SERVICE_DEFINITION');
export const PLATFORM_CONFIG = Symbol('PLATFORM_CONFIG');
