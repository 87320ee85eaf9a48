import type { PredictionLogRecord } from '@mlp/contracts';
import { encodePredictionRecord } from './prediction-record';
import type { RecordDecoder, RecordRing } from './record-ring';

/**
 * Numeric predictions as binary frames in the record ring. The request path writes numbers (a few
 * DataView stores per row) and the prediction log's thread turns them into the JSON line
 * `encodePredictionRecord` writes for the same record, so formatting doubles as text, building
 * record objects and concatenating strings all happen off the thread that answers requests.
 *
 * A frame's first byte says what it is. Text records (JSON lines, for inputs that are not all
 * numbers) start with `{`. A prediction frame refers to its model, version and arm and to its
 * input names by ids that definition frames (JSON after the type byte) introduce first: they are
 * written once, before their first use, and kept by the writer so that a consumer that starts
 * later (a restarted worker) can be given all of them.
 *
 * Prediction frame, little-endian:
 *   u8 type=1 | u8 0 | u16 context id | u32 keys id | f64 sequence | f64 output | f64 latencyMs |
 *   f64 predictedAt (epoch ms) | u32 requestId bytes | f64 x n (inputs, n = the key set's size) | requestId (UTF-8)
 */
const PREDICTION = 1;
const CONTEXT = 2;
const KEYS = 3;
const HEADER = 48;

/** A prediction's id: the writing process's UUID and the prediction's sequence number in base 36. */
export const predictionId = (processId: string, sequence: number): string => `${processId}-${sequence.toString(36)}`;

/** One request's numeric predictions: row r's inputs are `values[r * keys.length ...]`, its output `outputs[r * width]`. */
export interface NumericPredictions {
  model: string;
  version: number;
  arm: PredictionLogRecord['arm'];
  /** The input names, a stable array (the writer recognises it by identity). */
  keys: readonly string[];
  values: Float64Array;
  outputs: Float32Array;
  width: number;
  latencyMs: number;
  predictedAtMs: number;
  requestId: string;
}

/** The line of one numeric prediction, built on the thread that makes it (for paths that cannot use frames). */
export function numericRecord(p: NumericPredictions, r: number, predictionId: string): PredictionLogRecord {
  const n = p.keys.length;
  const inputs: Record<string, number> = {};
  for (let j = 0; j < n; j++) inputs[p.keys[j]] = p.values[r * n + j];
  return { predictionId, requestId: p.requestId, model: p.model, version: p.version, arm: p.arm, inputs, output: p.outputs[r * p.width], latencyMs: p.latencyMs, predictedAt: new Date(p.predictedAtMs).toISOString() };
}

/** The request path's side: writes prediction frames (and the definitions they need) into the ring. */
export class PredictionFrameWriter {
  private readonly contexts = new Map<string, number>();
  private lastContext?: { model: string; version: number; arm: string; id: number };
  /** Key lists by identity (the callers' arrays are stable), then by content. */
  private readonly keysByArray = new WeakMap<readonly string[], number>();
  private readonly keySets = new Map<string, number>();
  /** Every definition frame written so far, as [type, JSON]: what a consumer starting later needs first. */
  readonly definitions: Array<[number, string]> = [];

  constructor(private readonly ring: RecordRing) {}

  /**
   * Writes rows 0..rows-1 of `p`, row r with sequence number `firstSeq + r`. Answers how many rows
   * were written, in order: fewer than asked when the ring is full (the caller deals with the rest).
   */
  write(p: NumericPredictions, rows: number, firstSeq: number): number {
    const context = this.contextOf(p);
    const keys = this.keysOf(p.keys);
    if (context < 0 || keys < 0) return 0;
    const n = p.keys.length;
    const requestBytes = p.requestId.length * 3;
    const { bytes, view } = this.ring;
    for (let r = 0; r < rows; r++) {
      const at = this.ring.reserve(HEADER + 8 * n + requestBytes);
      if (at < 0) return r;
      view.setUint8(at, PREDICTION);
      view.setUint8(at + 1, 0);
      view.setUint16(at + 2, context, true);
      view.setUint32(at + 4, keys, true);
      view.setFloat64(at + 8, firstSeq + r, true);
      view.setFloat64(at + 16, p.outputs[r * p.width], true);
      view.setFloat64(at + 24, p.latencyMs, true);
      view.setFloat64(at + 32, p.predictedAtMs, true);
      let o = at + HEADER;
      for (let j = 0; j < n; j++, o += 8) view.setFloat64(o, p.values[r * n + j], true);
      const written = p.requestId.length === 0 ? 0 : bytes.write(p.requestId, o, 'utf8');
      view.setUint32(at + 40, written, true);
      this.ring.commit(at, o + written - at);
    }
    return rows;
  }

  private contextOf(p: NumericPredictions): number {
    // Consecutive requests are mostly for the same model, version and arm: no key to build then.
    const last = this.lastContext;
    if (last && last.model === p.model && last.version === p.version && last.arm === p.arm) return last.id;
    const key = `${p.model}\u0000${p.version}\u0000${p.arm}`;
    let id = this.contexts.get(key);
    if (id === undefined) {
      id = this.contexts.size;
      if (id > 0xffff || !this.define(CONTEXT, JSON.stringify({ id, model: p.model, version: p.version, arm: p.arm }))) return -1;
      this.contexts.set(key, id);
    }
    this.lastContext = { model: p.model, version: p.version, arm: p.arm, id };
    return id;
  }

  private keysOf(keys: readonly string[]): number {
    let id = this.keysByArray.get(keys);
    if (id === undefined) {
      // An array not seen before may still hold names already defined: one definition per content.
      const content = keys.join('\u0000');
      id = this.keySets.get(content);
      if (id === undefined) {
        id = this.keySets.size;
        if (!this.define(KEYS, JSON.stringify({ id, keys }))) return -1;
        this.keySets.set(content, id);
      }
      this.keysByArray.set(keys, id);
    }
    return id;
  }

  private define(type: number, json: string): boolean {
    const at = this.ring.reserve(1 + json.length * 3);
    if (at < 0) return false;
    this.ring.bytes[at] = type;
    this.ring.commit(at, 1 + this.ring.bytes.write(json, at + 1, 'utf8'), false);
    this.definitions.push([type, json]);
    return true;
  }
}

/** The log thread's side: a ring decoder that answers each record's JSON line. */
export class PredictionFrameReader {
  private readonly contexts = new Map<number, { model: string; version: number; arm: PredictionLogRecord['arm'] }>();
  private readonly keySets = new Map<number, string[]>();

  /**
   * @param processId the prefix of prediction ids (the writer's process), `<processId>-<sequence in base 36>`
   * @param definitions definition frames written before this reader started (see `PredictionFrameWriter.definitions`)
   */
  constructor(
    private readonly processId: string,
    definitions: Array<[number, string]> = [],
  ) {
    for (const [type, json] of definitions) this.define(type, json);
  }

  readonly decode: RecordDecoder = (bytes, view, start, length) => {
    const type = bytes[start];
    if (type === PREDICTION) return this.prediction(bytes, view, start);
    if (type === CONTEXT || type === KEYS) {
      this.define(type, bytes.toString('utf8', start + 1, start + length));
      return undefined;
    }
    return bytes.toString('utf8', start, start + length);
  };

  private define(type: number, json: string): void {
    const d = JSON.parse(json) as { id: number; model: string; version: number; arm: PredictionLogRecord['arm']; keys: string[] };
    if (type === CONTEXT) this.contexts.set(d.id, { model: d.model, version: d.version, arm: d.arm });
    else this.keySets.set(d.id, d.keys);
  }

  private prediction(bytes: Buffer, view: DataView, at: number): string {
    const context = this.contexts.get(view.getUint16(at + 2, true));
    const keys = this.keySets.get(view.getUint32(at + 4, true));
    if (!context || !keys) throw new Error('prediction frame without its definitions');
    const inputs: Record<string, number> = {};
    let o = at + HEADER;
    for (const key of keys) {
      inputs[key] = view.getFloat64(o, true);
      o += 8;
    }
    const requestBytes = view.getUint32(at + 40, true);
    return encodePredictionRecord({
      predictionId: predictionId(this.processId, view.getFloat64(at + 8, true)),
      requestId: requestBytes === 0 ? '' : bytes.toString('utf8', o, o + requestBytes),
      model: context.model,
      version: context.version,
      arm: context.arm,
      inputs,
      output: view.getFloat64(at + 16, true),
      latencyMs: view.getFloat64(at + 24, true),
      predictedAt: new Date(view.getFloat64(at + 32, true)).toISOString(),
    });
  }
}
