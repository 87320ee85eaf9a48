/** The package's version, sent as `context.library.version` with every tracked event (tools/client/check-pack.mjs checks it matches package.json). */
export const CLIENT_VERSION = '0.1.0';
export const CLIENT_NAME = '@mlp/client';
