// What the trainer's backend setting asks for, checked without loading TF.js (the service
// definition checks it before anything starts).

export type BackendPreference = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

// Kept in a variable so bundlers and the app build do not treat the optional native package as a dependency.
export const TFJS_NODE = '@tensorflow/tfjs-node';

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
