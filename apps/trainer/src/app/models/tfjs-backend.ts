import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import path from 'node:path';
import { nativeBackendAvailable, TFJS_NODE, type BackendPreference } from './backend-preference';


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
