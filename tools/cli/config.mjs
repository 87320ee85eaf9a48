// Where the services are and which token to send: flags, then environment, then a config file
// (--config, MLP_CONFIG or ./.mlp/config.yaml with `urls:` and `token:`), then the local defaults.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { usageError } from './exit-codes.mjs';

export const SERVICES = Object.freeze({
  dwh: { app: 'dwh-ingest', flag: 'dwhUrl', env: 'MLP_DWH_URL', default: 'http://127.0.0.1:3001' },
  features: { app: 'feature-store', flag: 'featuresUrl', env: 'MLP_FEATURES_URL', default: 'http://127.0.0.1:3002' },
  trainer: { app: 'trainer', flag: 'trainerUrl', env: 'MLP_TRAINER_URL', default: 'http://127.0.0.1:3003' },
  serving: { app: 'model-serving', flag: 'servingUrl', env: 'MLP_SERVING_URL', default: 'http://127.0.0.1:3004' },
});

const checkUrl = (url, from) => {
  let u;
  try {
    u = new URL(url);
  } catch {
    throw usageError(`${from}: ${JSON.stringify(url)} is not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw usageError(`${from}: only http and https URLs`);
  if (u.search || u.hash) throw usageError(`${from}: a service URL has no query or fragment (the token goes in --token or MLP_TOKEN, never in a URL)`);
  return url;
};

function readConfigFile(file, explicit) {
  if (!fs.existsSync(file)) {
    if (explicit) throw usageError(`config file ${file} does not exist`);
    return null;
  }
  let doc;
  try {
    doc = parse(fs.readFileSync(file, 'utf8')) ?? {};
  } catch (err) {
    throw usageError(`config file ${file}: ${err.message.split('\n')[0]}`);
  }
  if (typeof doc !== 'object' || Array.isArray(doc)) throw usageError(`config file ${file}: must be a mapping with urls: and token:`);
  const unknown = Object.keys(doc).filter((k) => k !== 'urls' && k !== 'token');
  if (unknown.length) throw usageError(`config file ${file}: unknown key ${unknown.join(', ')} (urls, token)`);
  const urls = doc.urls ?? {};
  if (typeof urls !== 'object' || Array.isArray(urls)) throw usageError(`config file ${file}: urls must map ${Object.keys(SERVICES).join(', ')} to URLs`);
  const badService = Object.keys(urls).filter((k) => !(k in SERVICES));
  if (badService.length) throw usageError(`config file ${file}: unknown service ${badService.join(', ')} under urls (${Object.keys(SERVICES).join(', ')})`);
  if (doc.token !== undefined && typeof doc.token !== 'string') throw usageError(`config file ${file}: token must be a string`);
  return { file, urls, token: doc.token };
}

/**
 * @param {Record<string, unknown>} flags commander options (dwhUrl, featuresUrl, trainerUrl, servingUrl, token, config, timeout)
 * @returns {{ urls: Record<keyof SERVICES, string>, token?: string, timeoutMs: number, configFile: string|null, warnings: string[] }}
 */
export function resolveConnection(flags, env = process.env, cwd = process.cwd()) {
  const explicit = flags.config ?? env.MLP_CONFIG;
  const file = explicit ? path.resolve(cwd, explicit) : path.join(cwd, '.mlp', 'config.yaml');
  const config = readConfigFile(file, Boolean(explicit));
  const warnings = [];
  const urls = {};
  for (const [key, s] of Object.entries(SERVICES)) {
    const [value, from] =
      flags[s.flag] !== undefined
        ? [flags[s.flag], `--${s.flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`]
        : env[s.env]
          ? [env[s.env], s.env]
          : config?.urls?.[key] !== undefined
            ? [config.urls[key], `${config.file} urls.${key}`]
            : [s.default, 'default'];
    urls[key] = checkUrl(String(value), from);
  }
  const token = flags.token ?? (env.MLP_TOKEN || undefined) ?? config?.token ?? undefined;
  if (config?.token && flags.token === undefined && !env.MLP_TOKEN && process.platform !== 'win32') {
    const mode = fs.statSync(config.file).mode & 0o077;
    if (mode) warnings.push(`${config.file} holds a token and others can read it: chmod 600 it`);
  }
  const seconds = flags.timeout === undefined ? 120 : Number(flags.timeout);
  if (!Number.isFinite(seconds) || seconds <= 0) throw usageError('--timeout must be a positive number of seconds');
  return { urls, token: token || undefined, timeoutMs: seconds * 1000, configFile: config ? config.file : null, warnings };
}
