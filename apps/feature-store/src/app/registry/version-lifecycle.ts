import { PlatformError } from '@mlp/runtime';
import { parseFeatureRef } from './feature-ref';
import type { RegisteredView, RegistrySnapshot } from './apply-plan';

/**
 * Which feature view versions are served online and when one stops being served (is retired).
 * Pure: the registry service and the janitor feed it the registry and the usage columns.
 *
 * - The head of a view is always live.
 * - An older version stays live (materialized, kept online, watched for freshness) while it is
 *   in use: a feature service pins it (`view@vN:feature`), or something read it online (a model
 *   trained on it is served) within the idle period, counted from when it was superseded or last
 *   read, whichever is later.
 * - Otherwise it is retired: no longer materialized, its online values dropped. Every version of a
 *   removed view is retired at once (nothing can read it). Retired versions stay readable offline
 *   (training sets) and can be restored.
 */
export interface VersionUsage {
  /** When a newer version became the head (epoch ms); null: still the head or unknown. */
  supersededAt: number | null;
  /** Last online read seen (epoch ms), flushed by the replicas every minute or so. */
  lastOnlineReadAt: number | null;
}

export type RetirementReason = 'VIEW_REMOVED' | 'IDLE' | 'EXPLICIT';

export interface RetirementCandidate {
  view: string;
  version: number;
  reason: RetirementReason;
}

export const versionKey = (view: string, version: number) => `${view}@v${version}`;

/** `view@vN` of every version a feature service pins explicitly. */
export function pinnedVersions(snap: RegistrySnapshot): Map<string, string[]> {
  const pins = new Map<string, string[]>();
  for (const svc of snap.services.values()) {
    for (const ref of svc.features) {
      const p = parseFeatureRef(ref);
      if (p.version === undefined) continue;
      const key = versionKey(p.view, p.version);
      const by = pins.get(key) ?? [];
      if (!by.includes(svc.name)) by.push(svc.name);
      pins.set(key, by);
    }
  }
  return pins;
}

/** Versions of a view that are served online: not retired and the view not removed; the head first. */
export function liveVersions(reg: RegisteredView): number[] {
  if (reg.removed) return [];
  return [...reg.versions.keys()].filter((v) => v === reg.head || !reg.retired?.has(v)).sort((a, b) => (a === reg.head ? -1 : b === reg.head ? 1 : b - a));
}

/**
 * The versions to retire now. `idleSeconds` <= 0 turns the idle rule off (only versions of removed
 * views are retired then, besides explicit retirements).
 */
export function versionsToRetire(snap: RegistrySnapshot, usage: ReadonlyMap<string, VersionUsage>, nowMs: number, idleSeconds: number): RetirementCandidate[] {
  const pinned = pinnedVersions(snap);
  const out: RetirementCandidate[] = [];
  for (const reg of snap.views.values()) {
    for (const version of [...reg.versions.keys()].sort((a, b) => a - b)) {
      if (reg.retired?.has(version)) continue;
      if (reg.removed) {
        out.push({ view: reg.name, version, reason: 'VIEW_REMOVED' });
        continue;
      }
      if (version === reg.head || pinned.has(versionKey(reg.name, version)) || idleSeconds <= 0) continue;
      const u = usage.get(versionKey(reg.name, version));
      const lastUse = Math.max(u?.supersededAt ?? 0, u?.lastOnlineReadAt ?? 0);
      if (nowMs - lastUse >= idleSeconds * 1000) out.push({ view: reg.name, version, reason: 'IDLE' });
    }
  }
  return out;
}

/** An explicit retirement: refused (with a code) for the head, a pinned version or an unknown one. */
export function checkRetirable(snap: RegistrySnapshot, view: string, version: number): { alreadyRetired: boolean } {
  const reg = snap.views.get(view);
  if (!reg || reg.removed) throw PlatformError.notFound(`unknown feature view ${view}`, 'UNKNOWN_FEATURE_VIEW');
  if (!reg.versions.has(version)) throw PlatformError.notFound(`feature view ${view} has no version ${version}`, 'UNKNOWN_FEATURE_VERSION');
  if (version === reg.head) {
    throw PlatformError.conflict(`${versionKey(view, version)} is the current version of ${view}: apply a new version first`, [{ code: 'VERSION_IS_HEAD', message: versionKey(view, version) }], 'VERSION_IS_HEAD');
  }
  const by = pinnedVersions(snap).get(versionKey(view, version));
  if (by) {
    throw PlatformError.conflict(`${versionKey(view, version)} is pinned by feature services ${by.join(', ')}`, by.map((s) => ({ code: 'VERSION_PINNED', message: s })), 'VERSION_PINNED');
  }
  return { alreadyRetired: !!reg.retired?.has(version) };
}
