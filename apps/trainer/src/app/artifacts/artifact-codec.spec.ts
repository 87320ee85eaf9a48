import type { ModelArtifact } from '@mlp/contracts';
import { ArtifactIntegrityError, canonicalJson, decodeArtifact, encodeArtifact, sha256Hex } from './artifact-codec';

const artifact: ModelArtifact = {
  format: 'mlp-model/v1',
  name: 'churn',
  version: 1,
  task: 'binary_classification',
  algorithm: 'baseline',
  features: ['u:age'],
  preprocessing: { features: [{ kind: 'numeric', name: 'u:age', mean: 1, std: 2, fill: 1, missingIndicator: false }], outputWidth: 1 },
  signature: { inputs: [{ name: 'u:age', datatype: 'FP64', shape: [-1] }], outputs: [{ name: 'probability', datatype: 'FP32', shape: [-1] }] },
  model: { kind: 'baseline', intercept: -1.5, weights: [], link: 'logit' },
};

describe('artifact serialisation', () => {
  it('writes canonical JSON with sorted keys so equal artifacts hash equal', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}');
    const { model, ...rest } = artifact;
    const reordered = JSON.parse(JSON.stringify({ model, ...rest })) as ModelArtifact;
    expect(encodeArtifact(reordered)).toEqual(encodeArtifact(artifact));
  });

  it('refuses NaN, which JSON cannot represent faithfully', () => {
    expect(() => canonicalJson({ x: Number.NaN })).toThrow(/NaN/);
  });

  it('round-trips an artifact whose sha256 matches', () => {
    const { json, sha256 } = encodeArtifact(artifact);
    expect(sha256).toBe(sha256Hex(json));
    expect(decodeArtifact(json, sha256)).toEqual(artifact);
  });

  it('refuses a tampered artifact with an integrity error naming both hashes', () => {
    const { json, sha256 } = encodeArtifact(artifact);
    const tampered = json.replace('-1.5', '9.5');
    expect(() => decodeArtifact(tampered, sha256)).toThrow(ArtifactIntegrityError);
    try {
      decodeArtifact(tampered, sha256);
    } catch (e) {
      expect((e as ArtifactIntegrityError).code).toBe('ARTIFACT_INTEGRITY_FAILED');
      expect((e as ArtifactIntegrityError).actual).toBe(sha256Hex(tampered));
    }
  });

  it('refuses to encode something that is not an mlp-model/v1 artifact', () => {
    expect(() => encodeArtifact({ ...artifact, format: 'other' } as unknown as ModelArtifact)).toThrow();
  });
});
