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
 * Selects the TF.js backend: the native binding where it is installed, else WebAssembly (the
 * .wasm files from the installed package), else plain JavaScript. Returns the backend in use,
 * which the run records.
 */
export async function initBackend(preference: BackendPreference = 'auto'): Promise<string> {
  if ((preference === 'auto' || preference === 'tensorflow') && nativeBackendAvailable()) {
    require(TFJS_NODE);
    if (await tf.setBackend('tensorflow')) {
      await tf.ready();
      return tf.getBackend();
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
