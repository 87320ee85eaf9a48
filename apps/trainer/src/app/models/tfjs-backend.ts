import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import path from 'node:path';

export type BackendPreference = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

// Kept in a variable so bundlers and the app build do not treat the optional native package as a dependency.
const TFJS_NODE = '@tensorflow/tfjs-node';

/** True when the native TensorFlow binding is installed (it downloads libtensorflow, so it is optional). */
export function nativeBackendAvailable(): boolean {
  try {
    require.resolve(TFJS_NODE);
    return true;
  } catch {
    return false;
  }
}

/**
 * Why the trainer cannot start with this preference (undefined when it can): asking for the native
 * backend where its package is not installed is a configuration error, not a silent fallback.
 */
export function backendProblem(preference: BackendPreference): string | undefined {
  if (preference !== 'tensorflow' || nativeBackendAvailable()) return undefined;
  return (
    `TRAINER_BACKEND=tensorflow needs the package ${TFJS_NODE}, which is not installed. Install it where its native ` +
    `library can be downloaded (npm install ${TFJS_NODE}), or set TRAINER_BACKEND to auto, wasm or cpu`
  );
}

/**
 * Selects the TF.js backend: the native binding where it is installed, else WebAssembly (the
 * .wasm files from the installed package), else plain JavaScript. Returns the backend in use,
 * which the run records. A native package that resolves but fails to load (a missing or
 * mismatched libtensorflow) falls back to the next backend, and `warn` is told why.
 */
export async function initBackend(preference: BackendPreference = 'auto', warn: (message: string) => void = () => undefined): Promise<string> {
  if ((preference === 'auto' || preference === 'tensorflow') && nativeBackendAvailable()) {
    try {
      require(TFJS_NODE);
      if (await tf.setBackend('tensorflow')) {
        await tf.ready();
        return tf.getBackend();
      }
      warn(`${TFJS_NODE} is installed but its backend did not initialise; training on wasm or cpu instead`);
    } catch (err) {
      warn(`${TFJS_NODE} is installed but failed to load (${err instanceof Error ? err.message : String(err)}); training on wasm or cpu instead`);
    }
  }
  if (preference !== 'cpu') {
    try {
      const dist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
      setWasmPaths(`${dist}${path.sep}`);
      if (await tf.setBackend('wasm')) {
        await tf.ready();
        return tf.getBackend();
      }
    } catch {
      // fall through to cpu: a missing or broken wasm file must not stop training
    }
  }
  await tf.setBackend('cpu');
  await tf.ready();
  return tf.getBackend();
}
