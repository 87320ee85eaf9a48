import { PredictionLogRecordContract, type PredictionLogRecord } from '@mlp/contracts';
import { PredictionFrameReader, PredictionFrameWriter, type Predictions } from './prediction-frame';
import { RecordRing } from './record-ring';

function random(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const NUMERIC = ['user_activity:orders_7d', 'user_activity:revenue_7d', 'features[2]'];
const MIXED = [...NUMERIC, 'user_profile:plan', 'we"ird\\key'];
const NUMBERS = [0, -0, 1e-300, -1.7976931348623157e308, 5e-324, 123456789.12345679, 0.1 + 0.2, 2 ** 53 + 2, -42, 1e21, Number.NaN, Number.POSITIVE_INFINITY];
const STRINGS = ['pro', '', 'r"\\\n\t\u0001é😀', 'lone \ud800 surrogate', 'v\u2028', '€'.repeat(40)];
type Value = number | string | boolean | null | undefined;

function value(next: () => number, kind: 'numeric' | 'any'): Value {
  const x = next();
  if (x < 0.1) return null;
  if (x < 0.15) return undefined;
  if (kind === 'any' && x < 0.2) return x < 0.175;
  if (kind === 'any' && x < 0.45) return STRINGS[Math.floor(next() * STRINGS.length)];
  return x < 0.6 ? NUMBERS[Math.floor(next() * NUMBERS.length)] : (next() - 0.5) * 10 ** Math.floor(next() * 12 - 4);
}

function predictions(next: () => number, rows: number, over: Partial<Predictions> = {}): Predictions {
  const keys = over.keys ?? (next() < 0.5 ? NUMERIC : MIXED);
  const columns = keys.map((_, j) => Array.from({ length: rows }, () => value(next, j < NUMERIC.length ? 'numeric' : 'any')));
  return {
    model: 'churn',
    version: 3,
    arm: 'champion',
    keys,
    columns,
    rows,
    outputs: new Float32Array(rows * 2).map(() => next()),
    width: 2,
    latencyMs: next() * 3,
    predictedAtMs: 1_790_000_000_000 + Math.floor(next() * 1e9),
    requestId: 'req-é€-𝄞',
    ...over,
  };
}

/** The record built the generic way, in the contract's key order: every line must be exactly its JSON.stringify. */
function record(p: Predictions, r: number, seq: number): PredictionLogRecord {
  const inputs = Object.fromEntries(p.keys.map((k, j) => [k, p.columns[j][r] ?? null])) as PredictionLogRecord['inputs'];
  return {
    predictionId: `proc-${seq.toString(36)}`,
    requestId: p.requestId,
    model: p.model,
    version: p.version,
    arm: p.arm,
    inputs,
    output: p.outputs[r * p.width],
    latencyMs: p.latencyMs,
    predictedAt: new Date(p.predictedAtMs).toISOString(),
    ...(p.entities ? { entity: p.entities[r] } : {}),
  };
}
const expected = (p: Predictions, first: number, from = 0) => Array.from({ length: p.rows - from }, (_, i) => JSON.stringify(record(p, from + i, first + from + i)));

describe('prediction frames', () => {
  it('decode to exactly the JSON.stringify of the record (odd doubles, -0, null, undefined, booleans, escaped and lone-surrogate strings, multi-byte request ids)', () => {
    const next = random(7);
    const ring = RecordRing.create(1 << 20);
    const writer = new PredictionFrameWriter(ring);
    const reader = new PredictionFrameReader('proc');
    const want: string[] = [];
    let seq = 1;
    for (let i = 0; i < 300; i++) {
      const rows = 1 + Math.floor(next() * 4);
      const entities = i % 4 === 0 ? Array.from({ length: rows }, (_, r) => ({ user_id: `u${i}-${r}"`, tenant: r })) : undefined;
      const p = predictions(next, rows, { arm: i % 3 === 0 ? 'challenger' : i % 7 === 0 ? 'shadow' : 'champion', version: 1 + (i % 2), requestId: i % 5 === 0 ? '' : `r${i}-é\ud800`, entities });
      expect(writer.write(p, seq)).toBe(rows);
      want.push(...expected(p, seq));
      seq += rows;
    }
    const lines = ring.read(Number.MAX_SAFE_INTEGER, reader.decode);
    expect(lines).toEqual(want);
    // Every line is a record the warehouse takes, unless its output or latency is not finite.
    for (const line of lines) {
      const r = JSON.parse(line) as PredictionLogRecord;
      expect(PredictionLogRecordContract.validate(r).ok).toBe(r.output !== null && r.latencyMs !== null);
    }
  });

  it('writes a non-finite output as null, as JSON.stringify does, so the warehouse refuses it by name', () => {
    const ring = RecordRing.create(1 << 12);
    const p = predictions(random(1), 1, { keys: NUMERIC, outputs: new Float32Array([Number.NaN, 0]), latencyMs: Number.POSITIVE_INFINITY });
    new PredictionFrameWriter(ring).write(p, 1);
    const [line] = ring.read(10, new PredictionFrameReader('proc').decode);
    expect(line).toBe(JSON.stringify(record(p, 0, 1)));
    const checked = PredictionLogRecordContract.validate(JSON.parse(line));
    expect(checked.ok ? [] : checked.violations.map((v) => v.path)).toEqual(['$.output', '$.latencyMs']);
  });

  it('defines each model/arm and name list once, whatever array holds the names; a reader started later decodes with the definitions it is given', () => {
    const next = random(3);
    const ring = RecordRing.create(1 << 16);
    const writer = new PredictionFrameWriter(ring);
    const p = predictions(next, 2, { keys: NUMERIC });
    writer.write(p, 1);
    writer.write({ ...p, keys: [...NUMERIC] }, 3); // same names, another array
    writer.write({ ...p, arm: 'challenger' }, 5);
    expect(writer.definitions.map(([type]) => type)).toEqual([2, 3, 2]);
    expect(ring.pending).toBe(6); // definitions are not log lines: they do not count against the budget
    // A first reader takes the first definition (model and arm), then exits; the next one is given all of them.
    expect(ring.read(1, new PredictionFrameReader('proc').decode)).toEqual([]);
    const restarted = new PredictionFrameReader('proc', writer.definitions);
    expect(ring.read(100, restarted.decode)).toEqual([...expected(p, 1), ...expected(p, 3), ...expected({ ...p, arm: 'challenger' }, 5)]);
  });

  it('writes the rows that fit, says where it stopped, and goes on from there', () => {
    const next = random(5);
    const ring = RecordRing.create(2048);
    const writer = new PredictionFrameWriter(ring);
    const reader = new PredictionFrameReader('proc');
    const p = predictions(next, 40, { keys: MIXED });
    const stopped = writer.write(p, 1);
    expect(stopped).toBeGreaterThan(0);
    expect(stopped).toBeLessThan(40);
    expect(ring.read(1000, reader.decode)).toEqual(expected(p, 1).slice(0, stopped));
    let from = stopped;
    while (from < 40) {
      from = writer.write(p, 1, from);
      ring.read(1000, reader.decode);
    }
    expect(writer.write(p, 1, 30)).toBe(40);
    expect(ring.read(1000, reader.decode)).toEqual(expected(p, 1, 30));
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
        const p = predictions(next, 1 + Math.floor(next() * 3), { requestId: 'x'.repeat(Math.floor(next() * 100)) });
        const written = writer.write(p, seq);
        pending.push(...expected(p, seq).slice(0, written));
        seq += p.rows;
      } else {
        const got = ring.read(Math.floor(next() * 4) + 1, reader.decode);
        expect(got).toEqual(pending.splice(0, got.length));
      }
    }
    expect(ring.read(Number.MAX_SAFE_INTEGER, reader.decode)).toEqual(pending);
  });

  it('refuses to read what is not a prediction log frame', () => {
    const ring = RecordRing.create(1024);
    ring.write('{"text":true}');
    expect(() => ring.read(10, new PredictionFrameReader('proc').decode)).toThrow(/not a prediction log frame/);
  });
});
