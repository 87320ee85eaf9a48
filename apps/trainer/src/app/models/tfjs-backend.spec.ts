import * as tf from '@tensorflow/tfjs';
import { backendProblem, nativeBackendAvailable } from './backend-preference';
import { initBackend } from './tfjs-backend';

describe('training backend selection', () => {
  it('refuses TRAINER_BACKEND=tensorflow where @tensorflow/tfjs-node is not installed, naming the package', () => {
    if (nativeBackendAvailable()) return; // where it is installed, the preference is valid
    expect(backendProblem('tensorflow')).toMatch(/@tensorflow\/tfjs-node.*not installed/);
    for (const p of ['auto', 'wasm', 'cpu'] as const) expect(backendProblem(p)).toBeUndefined();
  });

  it('falls back from auto to WebAssembly or plain JavaScript when the native backend is absent, and trains on it', async () => {
    const warnings: string[] = [];
    const backend = await initBackend('auto', (w) => warnings.push(w));
    expect(['tensorflow', 'wasm', 'cpu']).toContain(backend);
    expect(tf.getBackend()).toBe(backend);
    if (!nativeBackendAvailable()) expect(warnings).toEqual([]);
    expect(await initBackend('cpu')).toBe('cpu');
  });
});
