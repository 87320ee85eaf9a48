import { PlatformError } from '@mlp/runtime';

/** A parsed `view:feature` or `view@v2:feature` reference. */
export interface FeatureRefParts {
  view: string;
  version?: number;
  feature: string;
}

const REF = /^([a-z][a-z0-9_]{0,62})(?:@v([0-9]{1,6}))?:([a-z][a-z0-9_]{0,62})$/;
export const IDENTIFIER = /^[a-z][a-z0-9_]{0,62}$/;

export function parseFeatureRef(ref: string): FeatureRefParts {
  const m = REF.exec(ref);
  if (!m) throw PlatformError.badRequest(`"${ref}" is not a feature reference (view:feature or view@vN:feature)`, [{ code: 'INVALID_FEATURE_REF', message: ref }], 'INVALID_FEATURE_REF');
  return { view: m[1], version: m[2] === undefined ? undefined : Number(m[2]), feature: m[3] };
}

export function formatFeatureRef(p: FeatureRefParts): string {
  return `${p.view}${p.version === undefined ? '' : `@v${p.version}`}:${p.feature}`;
}

/** Double-quotes an identifier that already passed IDENTIFIER (defence in depth: refuses anything else). */
export function quoteIdent(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`refusing to quote identifier ${JSON.stringify(name)}`);
  return `"${name}"`;
}
