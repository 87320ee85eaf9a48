import type { TrafficPolicy } from '@mlp/contracts';

export const DEFAULT_POLICY: TrafficPolicy = { canaryWeight: 0, stickyKey: 'entity', shadow: false, maxBatchSize: 32, maxBatchDelayMs: 1 };

/** FNV-1a: a stable, well-spread 32-bit hash so a key always lands in the same arm. */
export function stickyHash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) / 0x100000000;
}

export interface ArmDecision {
  /** The arm whose answer the caller gets. */
  serve: 'champion' | 'challenger';
  /** Also score the challenger silently (shadow mode). */
  shadow: boolean;
}

/**
 * Routes one sticky key. With a challenger: shadow mode answers from the champion and scores the
 * challenger on the side; otherwise `canaryWeight` of the key space goes to the challenger.
 */
export function chooseArm(policy: TrafficPolicy, key: string, hasChallenger: boolean): ArmDecision {
  if (!hasChallenger) return { serve: 'champion', shadow: false };
  if (policy.shadow) return { serve: 'champion', shadow: true };
  if (policy.canaryWeight <= 0) return { serve: 'champion', shadow: false };
  return { serve: stickyHash(key) < policy.canaryWeight ? 'challenger' : 'champion', shadow: false };
}

/**
 * Candidate sticky keys of a request: its entity key (V2 `parameters.sticky_key`, an entity's join
 * keys), the `x-sticky-key` header, and its request id.
 */
export interface StickyKeys {
  entity?: string;
  header?: string;
  requestId: string;
}

/**
 * The key that routes a request under a policy: `entity` takes the entity key, else the header;
 * `header` takes the header; the request id is the last resort.
 */
export function stickyKeyFor(policy: Pick<TrafficPolicy, 'stickyKey'>, keys: StickyKeys): string {
  return (policy.stickyKey === 'entity' ? (keys.entity ?? keys.header) : keys.header) ?? keys.requestId;
}
