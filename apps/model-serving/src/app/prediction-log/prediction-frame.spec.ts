import { numericRecord, PredictionFrameReader, PredictionFrameWriter, type NumericPredictions } from './prediction-frame';
import { encodePredictionRecord } from './prediction-record';
import { RecordRing } from './record-ring';

function random(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const KEYS = ['features[0]', 'features[1]', 'features[2]'];
const SPECIAL = [0, -0, 1e-300, -1.7976931348623157e308, 5e-324, 123456789.12345679, 0.1 + 0.2, 2 ** 53 + 2, -42];

function batch(next: () => number, rows: number, over: Partial<NumericPredictions> = {}): NumericPredictions {
  const values = new Float64Array(rows * KEYS.length);
  for (let i = 0; i < values.length; i++) values[i] = next() < 0.3 ? SPECIAL[Math.floor(next() * SPECIAL.length)] : (next() - 0.5) * 10 ** Math.floor(next() * 12 - 4);
  const outputs = new Float32Array(rows * 2).map(() => next());
  return { model: 'churn', version: 3, arm: 'champion', keys: KEYS, values, outputs, width: 2, latencyMs: next() * 3, predictedAtMs: 1_790_000_000_000 + Math.floor(next() * 1e9), requestId: 'req-é€-𝄞', ...over };
}

/** What the request thread would have written itself: the reference every frame must match byte for byte. */
const expected = (p: NumericPredictions, rows: number, first: number) =>
  Array.from({ length: rows }, (_, r) => encodePredictionRecord(numericRecord(p, r, `proc-${(first + r).toString(36)}`)));

describe('prediction frames', () => {
  it('decode to exactly the line the request thread would have encoded (odd doubles, -0, multi-byte request ids)', () => {
    const next = random(7);
    const ring = RecordRing.create(1 << 20);
    const writer = new PredictionFrameWriter(ring);
    const reader = new PredictionFrameReader('proc');
    const want: string[] = [];
    let seq = 1;
    for (let i = 0; i < 200; i++) {
      const p = batch(next, 1 + Math.floor(next() * 4), { arm: i % 3 === 0 ? 'challenger' : 'champion', version: 1 + (i % 2), requestId: i % 5 === 0 ? '' : `r${i}-é` });
      const rows = p.values.length / KEYS.length;
      expect(writer.write(p, rows, seq)).toBe(rows);
      want.push(...expected(p, rows, seq));
      seq += rows;
    }
    expect(ring.read(Number.MAX_SAFE_INTEGER, reader.decode)).toEqual(want);
    // The same lines parse back to the values written.
    expect(JSON.parse(want[0]).inputs).toEqual(expect.objectContaining({ 'features[0]': expect.any(Number) }));
  });

  it('mix with text records in order, and a reader started later decodes with the definitions it is given', () => {
    const next = random(11);
    const ring = RecordRing.create(1 << 16);
    const writer = new PredictionFrameWriter(ring);
    const p = batch(next, 2);
    writer.write(p, 2, 10);
    // A first reader takes the first definition (model and arm), then exits; the next one is given all of them.
    expect(ring.read(1, new PredictionFrameReader('proc').decode)).toEqual([]);
    const restarted = new PredictionFrameReader('proc', writer.definitions);
    ring.write('{"text":true}');
    writer.write(p, 2, 12);
    const lines = ring.read(100, restarted.decode);
    expect(lines).toEqual([...expected(p, 2, 10), '{"text":true}', ...expected(p, 2, 12)]);
  });

  it('defines each model/arm and key list once, whatever array holds the names', () => {
    const next = random(3);
    const ring = RecordRing.create(1 << 16);
    const writer = new PredictionFrameWriter(ring);
    writer.write(batch(next, 1), 1, 1);
    writer.write(batch(next, 1, { keys: [...KEYS] }), 1, 2); // same names, another array
    writer.write(batch(next, 1, { arm: 'challenger' }), 1, 3);
    expect(writer.definitions.map(([type]) => type)).toEqual([2, 3, 2]);
    expect(ring.pending).toBe(3); // definitions are not log lines: they do not count against the budget
    expect(ring.read(100, new PredictionFrameReader('proc').decode)).toHaveLength(3);
  });

  it('writes the rows that fit and says how many when the ring fills up', () => {
    const next = random(5);
    const ring = RecordRing.create(1024);
    const writer = new PredictionFrameWriter(ring);
    const p = batch(next, 40);
    const written = writer.write(p, 40, 1);
    expect(written).toBeGreaterThan(0);
    expect(written).toBeLessThan(40);
    expect(ring.read(1000, new PredictionFrameReader('proc').decode)).toEqual(expected(p, 40, 1).slice(0, written));
  });

  it('never loses or reorders frames over many wrap-arounds', () => {
    const next = random(99);
    const ring = RecordRing.create(4096);
    const writer = new PredictionFrameWriter(ring);
    const reader = new PredictionFrameReader('proc');
    const pending: string[] = [];
    let seq = 1;
    for (let step = 0; step < 3000; step++) {
      if (next() < 0.6) {
        const p = batch(next, 1 + Math.floor(next() * 3), { requestId: 'x'.repeat(Math.floor(next() * 100)) });
        const rows = p.values.length / KEYS.length;
        const written = writer.write(p, rows, seq);
        pending.push(...expected(p, rows, seq).slice(0, written));
        seq += rows;
      } else {
        const got = ring.read(Math.floor(next() * 4) + 1, reader.decode);
        expect(got).toEqual(pending.splice(0, got.length));
      }
    }
    expect(ring.read(Number.MAX_SAFE_INTEGER, reader.decode)).toEqual(pending);
  });
});
