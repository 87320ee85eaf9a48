import { baselineArtifact, multiclassArtifact, numericArtifact, registryEntry, tfjsArtifact } from '../../testing/model-fixtures';
import { LoadedModel } from './loaded-model';

describe('LoadedModel', () => {
  it('loads a TF.js artifact, checks its sha256, and predicts probabilities per row', async () => {
    const model = await LoadedModel.load(registryEntry(await tfjsArtifact('churn', 1)), { maxBatchSize: 8, maxBatchDelayMs: 0 });
    const rows = new Float32Array(12).map((_, i) => i / 10);
    const out = await model.predict(rows, 2);
    expect(out).toHaveLength(2);
    expect(out.every((p) => p > 0 && p < 1)).toBe(true);
    expect(out[0]).not.toBeCloseTo(out[1], 6);
  });

  it('answers large batches in slices with the same numbers as one pass', async () => {
    const model = await LoadedModel.load(registryEntry(await tfjsArtifact('churn', 1)), { maxBatchSize: 8, maxBatchDelayMs: 0 });
    const rows = 1500;
    const x = new Float32Array(rows * 6).map((_, i) => Math.sin(i));
    const whole = await model.predict(x, rows);
    expect(whole).toHaveLength(rows);
    const tail = await model.predict(x.slice(1400 * 6), 100);
    Array.from(tail).forEach((p, i) => expect(whole[1400 + i]).toBeCloseTo(p, 6));
  });

  it('runs heavy batches of a TF.js model off the Dense fast path on a worker thread, with the same numbers', async () => {
    const artifact = await tfjsArtifact('churn', 1);
    // Swapping the activation for softplus takes the model off the plain-JS Dense path.
    const topology = JSON.parse(JSON.stringify((artifact.model as { modelTopology: unknown }).modelTopology).replace('"relu"', '"softplus"'));
    const heavy = { ...artifact, model: { ...(artifact.model as object), modelTopology: topology } } as typeof artifact;
    const offloaded = await LoadedModel.load(registryEntry(heavy), { maxBatchSize: 8, maxBatchDelayMs: 0, workerMinRows: 100 });
    const inline = await LoadedModel.load(registryEntry(heavy), { maxBatchSize: 8, maxBatchDelayMs: 0 });
    const rows = 300;
    const x = new Float32Array(rows * 6).map((_, i) => Math.cos(i));
    const [a, b] = await Promise.all([offloaded.predict(x, rows), inline.predict(x, rows)]);
    expect(offloaded.workerBatches).toBe(1);
    expect(inline.workerBatches).toBe(0);
    Array.from(a).forEach((p, i) => expect(p).toBeCloseTo(b[i], 5));
    await offloaded.predict(x.slice(0, 60), 10); // small batches stay on the main thread
    expect(offloaded.workerBatches).toBe(1);
    offloaded.retire();
    inline.retire();
  });

  it('computes the baseline rule through its link', async () => {
    const model = await LoadedModel.load(registryEntry(baselineArtifact('rule', 1, 0.5, [1, 0, 0, 0, 0, 0])), { maxBatchSize: 8, maxBatchDelayMs: 0 });
    const [p] = await model.predict(new Float32Array([1.5, 0, 0, 0, 0, 0]), 1);
    expect(p).toBeCloseTo(1 / (1 + Math.exp(-2)), 6);
  });

  it('loads a written rule over raw values that has no answer for an all-zero row (warm-up uses the training fill values)', async () => {
    const base = numericArtifact('ratio', 1);
    const features = [
      { kind: 'numeric' as const, name: 'user_activity:orders_7d', mean: 0, std: 1, fill: 3, missingIndicator: false },
      { kind: 'numeric' as const, name: 'user_activity:revenue_7d', mean: 0, std: 1, fill: 40, missingIndicator: false },
    ];
    const rule = {
      ...base,
      algorithm: 'rule' as const,
      task: 'regression' as const,
      preprocessing: { outputWidth: 2, features },
      model: { kind: 'rule' as const, expression: 'revenue_7d / orders_7d', inputs: [{ name: 'revenue_7d', column: 1 }, { name: 'orders_7d', column: 0 }], output: 'value' as const },
    };
    const model = await LoadedModel.load(registryEntry(rule), { maxBatchSize: 8, maxBatchDelayMs: 0 });
    expect(Array.from(await model.predict(new Float32Array([4, 10, 5, 1]), 2))).toEqual([2.5, Math.fround(0.2)]);
  });

  it('refuses an artifact whose bytes do not match the sha256, or whose weights are not a model', async () => {
    const artifact = await tfjsArtifact('churn', 2);
    await expect(LoadedModel.load(registryEntry(artifact, [], 'sha'))).rejects.toMatchObject({ status: 422, code: 'CORRUPT_ARTIFACT' });
    await expect(LoadedModel.load(registryEntry(artifact, [], 'weights'))).rejects.toMatchObject({ status: 422, code: 'CORRUPT_ARTIFACT' });
    const wrongWidth = { ...baselineArtifact('rule', 3), preprocessing: { ...baselineArtifact('rule', 3).preprocessing, outputWidth: 5 } };
    await expect(LoadedModel.load(registryEntry(wrongWidth))).rejects.toThrow(/outputWidth 5/);
  });

  it('disposes a retired version only after its last in-flight request', async () => {
    const model = await LoadedModel.load(registryEntry(baselineArtifact('rule', 1)));
    expect(model.acquire()).toBe(true);
    model.retire();
    expect(model.isDisposed).toBe(false);
    model.release();
    expect(model.isDisposed).toBe(true);
    expect(model.acquire()).toBe(false);
  });
  it('serves a multiclass model: one probability per class per row, and each row\'s answer is its most probable class', async () => {
    const model = await LoadedModel.load(registryEntry(await multiclassArtifact('species', 1)), { maxBatchSize: 8, maxBatchDelayMs: 0 });
    expect(model.outWidth).toBe(3);
    const x = new Float32Array(4 * 6).map((_, i) => Math.sin(i * 2.3) * 2);
    const out = await model.predict(x, 4);
    expect(out).toHaveLength(12);
    for (let r = 0; r < 4; r++) expect(out[3 * r] + out[3 * r + 1] + out[3 * r + 2]).toBeCloseTo(1, 5);
    const answers = model.rowAnswers(out, 4);
    for (let r = 0; r < 4; r++) {
      const row = Array.from(out.subarray(3 * r, 3 * r + 3));
      expect(answers[r]).toBe(row.indexOf(Math.max(...row)));
    }
    // single-output models answer their output as it is
    const binary = await LoadedModel.load(registryEntry(baselineArtifact('rule', 1)));
    const p = await binary.predict(new Float32Array(6), 1);
    expect(binary.rowAnswers(p, 1)).toBe(p);
  });

  it('refuses a multiclass artifact whose classes, outputs and model disagree', async () => {
    const artifact = await multiclassArtifact('species', 1);
    const twoClasses = { ...artifact, classes: ['bird', 'cat'] };
    await expect(LoadedModel.load(registryEntry(twoClasses))).rejects.toMatchObject({ code: 'CORRUPT_ARTIFACT', message: expect.stringContaining('one probability per class') });
    const noClasses = { ...artifact, classes: undefined };
    await expect(LoadedModel.load(registryEntry(noClasses))).rejects.toMatchObject({ code: 'CORRUPT_ARTIFACT', message: expect.stringContaining('distinct classes') });
    // the signature says 4 classes, the network answers 3
    const wider = { ...artifact, classes: ['a', 'b', 'c', 'd'], signature: { ...artifact.signature, outputs: [{ name: 'probabilities', datatype: 'FP32' as const, shape: [-1, 4] }, artifact.signature.outputs[1]] } };
    await expect(LoadedModel.load(registryEntry(wider))).rejects.toMatchObject({ code: 'CORRUPT_ARTIFACT', message: expect.stringContaining('answers 3 values per row but its signature declares 4') });
    // a binary model has no classes and no label to answer
    const binary = baselineArtifact('rule', 1);
    const binaryWithLabel = { ...binary, signature: { ...binary.signature, outputs: [...binary.signature.outputs, { name: 'label', datatype: 'BYTES' as const, shape: [-1] }] } };
    await expect(LoadedModel.load(registryEntry(binaryWithLabel))).rejects.toMatchObject({ code: 'CORRUPT_ARTIFACT', message: expect.stringContaining('only a multiclass model answers a BYTES output') });
    await expect(LoadedModel.load(registryEntry({ ...binary, classes: ['a', 'b'] }))).rejects.toMatchObject({ code: 'CORRUPT_ARTIFACT', message: expect.stringContaining('only a multiclass model has classes') });
  });
});
