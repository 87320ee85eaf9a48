import type { TrafficPolicy } from '@mlp/contracts';
import { baselineArtifact, registryEntry } from '../../testing/model-fixtures';
import { LoadedModel } from '../models/loaded-model';
import type { ModelStore } from '../models/model-store';
import type { TrafficPolicies } from '../traffic/traffic-policies';
import { DEFAULT_POLICY } from '../traffic/traffic-split';
import { VersionResolver } from './version-resolver';

async function setUp(policy: Partial<TrafficPolicy> = {}) {
  const champion = await LoadedModel.load(registryEntry(baselineArtifact('rule', 1)));
  const challenger = await LoadedModel.load(registryEntry(baselineArtifact('rule', 2)));
  const pinned = await LoadedModel.load(registryEntry(baselineArtifact('rule', 7)));
  const slots = { champion, challenger, pinned };
  const store = {
    alias: (_name: string, alias: 'champion' | 'challenger') => slots[alias],
    challengerOf: () => slots.challenger,
    version: async () => slots.pinned,
  } as unknown as ModelStore;
  const policies = { policy: () => ({ ...DEFAULT_POLICY, ...policy }) } as unknown as TrafficPolicies;
  return { resolver: new VersionResolver(store, policies), slots };
}

describe('VersionResolver', () => {
  it('resolves an alias or the traffic policy synchronously, holding the version', async () => {
    const { resolver, slots } = await setUp({ canaryWeight: 0.5, stickyKey: 'header' });
    const byAlias = resolver.resolve('rule', { alias: 'challenger' }, { requestId: 'r' });
    expect(byAlias).toMatchObject({ model: slots.challenger, arm: 'challenger' });
    expect(slots.challenger.inFlightRequests).toBe(1);
    const arms = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const route = resolver.resolve('rule', { policy: true }, { header: `user-${i}`, requestId: 'r' });
      expect(route).not.toBeInstanceOf(Promise);
      const { model, arm } = route as { model: LoadedModel; arm: string };
      expect(model).toBe(arm === 'champion' ? slots.champion : slots.challenger);
      expect(resolver.decide('rule', { header: `user-${i}`, requestId: 'other' }).serve).toBe(arm); // the key decides, nothing else
      arms.add(arm);
      model.release();
    }
    expect(arms).toEqual(new Set(['champion', 'challenger']));
  });

  it('names the challenger for shadow scoring in shadow mode, and loads a pinned version', async () => {
    const { resolver, slots } = await setUp({ shadow: true });
    expect(resolver.resolve('rule', { policy: true }, { requestId: 'r' })).toMatchObject({ model: slots.champion, arm: 'champion', shadow: slots.challenger });
    await expect(resolver.resolve('rule', { version: 7 }, { requestId: 'r' })).resolves.toMatchObject({ model: slots.pinned, arm: 'pinned' });
    expect(slots.pinned.inFlightRequests).toBe(1);
  });

  it('chooses again when the version was unloaded meanwhile, and answers 503 when it keeps changing', async () => {
    const unloaded = await LoadedModel.load(registryEntry(baselineArtifact('rule', 1)));
    unloaded.retire(); // swapped out and disposed between choosing and holding: it cannot be held
    const successor = await LoadedModel.load(registryEntry(baselineArtifact('rule', 2)));
    const policies = { policy: () => DEFAULT_POLICY } as unknown as TrafficPolicies;
    const champions = [unloaded, successor];
    const swapped = new VersionResolver({ alias: () => champions.shift(), challengerOf: () => undefined } as unknown as ModelStore, policies);
    expect(swapped.resolve('rule', { policy: true }, { requestId: 'r' })).toMatchObject({ model: successor });
    const swapping = new VersionResolver({ alias: () => unloaded, challengerOf: () => undefined } as unknown as ModelStore, policies);
    expect(() => swapping.resolve('rule', { policy: true }, { requestId: 'r' })).toThrow(expect.objectContaining({ status: 503, code: 'MODEL_NOT_READY' }));
  });
});
