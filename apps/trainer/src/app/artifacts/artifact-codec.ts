import { createHash } from 'node:crypto';
import { ModelArtifact } from '@mlp/contracts';

/** JSON with object keys sorted at every level, so equal artifacts hash equal whatever built them. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error('canonical JSON cannot hold NaN or Infinity');
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export const sha256Hex = (text: string | Buffer): string => createHash('sha256').update(text).digest('hex');

export interface EncodedArtifact {
  json: string;
  sha256: string;
}

/** Serialises an artifact for the registry: validated against `mlp-model/v1`, canonical JSON, sha256. */
export function encodeArtifact(artifact: ModelArtifact): EncodedArtifact {
  ModelArtifact.parse(artifact);
  const json = canonicalJson(artifact);
  return { json, sha256: sha256Hex(json) };
}

export class ArtifactIntegrityError extends Error {
  readonly code = 'ARTIFACT_INTEGRITY_FAILED';
  constructor(
    message: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(message);
    this.name = 'ArtifactIntegrityError';
  }
}

/** Loads a stored artifact only if its bytes still hash to the recorded sha256 (tampering, bit rot). */
export function decodeArtifact(json: string, expectedSha256: string): ModelArtifact {
  const actual = sha256Hex(json);
  if (actual !== expectedSha256) {
    throw new ArtifactIntegrityError(`artifact sha256 ${actual} does not match the registered ${expectedSha256}`, expectedSha256, actual);
  }
  return ModelArtifact.parse(JSON.parse(json));
}
