import type { PredictionLogRecord } from '@mlp/contracts';
import { jsonNumber } from '../json/json-number';
import type { RecordDecoder, RecordRing } from './record-ring';

/**
 * Predictions as binary frames in the record ring: the one encoding of a prediction log record on
 * its way to the warehouse. The request path writes each row's raw inputs, output and context
 * straight from the request's columns (a few DataView stores per value: no record object, no
 * text), and the prediction log's thread writes each frame's JSON line once, byte for byte what
 * `JSON.stringify` writes for the `PredictionLogRecord` in the contract's key order.
 *
 * A frame's first byte says what it is. A prediction frame refers to its model, version and arm and
 * to its input (and entity) names by ids that definition frames (JSON after the type byte)
 * introduce first: they are written once, before their first use, and kept by the writer so that a
 * consumer that starts later (a restarted worker) can be given all of them.
 *
 * Prediction frame, little-endian:
 *   u8 type=1 | u8 0 | u16 context id | u32 input names id | f64 sequence | f64 output | f64 latencyMs |
 *   f64 predictedAt (epoch ms) | u32 requestId length | u32 entity names id (NO_ENTITY: none) |
 *   one value per input name, then one per entity name | requestId (UTF-16LE)
 * A value is a tag byte and its payload: NUMBER f64 | NULL | FALSE | TRUE | STRING u32 length, UTF-16LE.
 * Strings travel as UTF-16 code units, so any JavaScript string (lone surrogates included) comes
 * back exactly as it was.
 */
const PREDICTION = 1;
const CONTEXT = 2;
const KEYS = 3;
const HEADER = 48;
const NO_ENTITY = 0xffffffff;
const NUMBER = 0;
const NULL = 1;
const FALSE = 2;
const TRUE = 3;
const STRING = 4;

/** A raw value as a model was given it (null, undefined and non-finite numbers are logged as null). */
type LoggedValue = number | string | boolean | null | undefined;

/** A prediction's id: the writing process's UUID and the prediction's sequence number in base 36. */
export const predictionId = (processId: string, sequence: number): string => `${processId}-${sequence.toString(36)}`;

/** One request's predictions as the log takes them: row r's inputs are `columns[j][r]`, its output `outputs[r * width]`. */
export interface Predictions {
  model: string;
  version: number;
  arm: PredictionLogRecord['arm'];
  /** The input names, in the columns' order (a model's own array: the writer recognises it by identity). */
  keys: readonly string[];
  columns: ReadonlyArray<ArrayLike<LoggedValue>>;
  rows: number;
  outputs: Float32Array;
  width: number;
  /** Each row's entity, for entity-keyed predictions (all rows name the same join keys). */
  entities?: ReadonlyArray<Record<string, string | number>>;
  latencyMs: number;
  predictedAtMs: number;
  requestId: string;
}

const valueBytes = (v: LoggedValue): number => (typeof v === 'string' ? 5 + 2 * v.length : typeof v === 'number' ? 9 : 1);

/** The request path's side: writes prediction frames (and the definitions they need) into the ring. */
export class PredictionFrameWriter {
  private readonly contexts = new Map<string, number>();
  private lastContext?: { model: string; version: number; arm: string; id: number };
  /** Name lists by identity (a model's array is stable), then by content. */
  private readonly keysByArray = new WeakMap<readonly string[], number>();
  private readonly keySets = new Map<string, number>();
  /** Every definition frame written so far, as [type, JSON]: what a consumer starting later needs first. */
  readonly definitions: Array<[number, string]> = [];

  constructor(private readonly ring: RecordRing) {}

  /**
   * Writes rows `from..rows-1` of `p`, row r with sequence number `firstSeq + r`. Answers the row
   * after the last one written: less than `p.rows` when the ring is full (the caller deals with the rest).
   */
  write(p: Predictions, firstSeq: number, from = 0): number {
    const context = this.contextOf(p);
    const keys = this.keysOf(p.keys);
    const entityKeys = p.entities ? Object.keys(p.entities[0] ?? {}) : undefined;
    const entity = entityKeys ? this.keysOf(entityKeys) : NO_ENTITY;
    if (context < 0 || keys < 0 || entity < 0) return from;
    const { columns, requestId } = p;
    const n = columns.length;
    const { view } = this.ring;
    for (let r = from; r < p.rows; r++) {
      let size = HEADER + 2 * requestId.length;
      for (let j = 0; j < n; j++) size += valueBytes(columns[j][r]);
      const row = p.entities?.[r];
      if (row && entityKeys) for (const k of entityKeys) size += valueBytes(row[k]);
      const at = this.ring.reserve(size);
      if (at < 0) return r;
      view.setUint8(at, PREDICTION);
      view.setUint8(at + 1, 0);
      view.setUint16(at + 2, context, true);
      view.setUint32(at + 4, keys, true);
      view.setFloat64(at + 8, firstSeq + r, true);
      view.setFloat64(at + 16, p.outputs[r * p.width], true);
      view.setFloat64(at + 24, p.latencyMs, true);
      view.setFloat64(at + 32, p.predictedAtMs, true);
      view.setUint32(at + 40, requestId.length, true);
      view.setUint32(at + 44, entity, true);
      let o = at + HEADER;
      for (let j = 0; j < n; j++) o = this.value(o, columns[j][r]);
      if (row && entityKeys) for (const k of entityKeys) o = this.value(o, row[k]);
      if (requestId.length > 0) o += this.ring.bytes.write(requestId, o, 'utf16le');
      this.ring.commit(at, o - at);
    }
    return p.rows;
  }

  private value(at: number, v: LoggedValue): number {
    const view = this.ring.view;
    if (typeof v === 'number') {
      view.setUint8(at, NUMBER);
      view.setFloat64(at + 1, v, true);
      return at + 9;
    }
    if (typeof v === 'string') {
      view.setUint8(at, STRING);
      view.setUint32(at + 1, v.length, true);
      return at + 5 + this.ring.bytes.write(v, at + 5, 'utf16le');
    }
    view.setUint8(at, v === true ? TRUE : v === false ? FALSE : NULL);
    return at + 1;
  }

  private contextOf(p: Predictions): number {
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
        if (id >= NO_ENTITY || !this.define(KEYS, JSON.stringify({ id, keys }))) return -1;
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

/**
 * The last value of a field and its JSON: the rows of one request share their request id, time and
 * latency, so each is written once per request rather than once per row.
 */
class LastJson<T> {
  private value?: T;
  private json = '';

  constructor(private readonly write: (value: T) => string) {}

  of(value: T): string {
    if (value !== this.value) {
      this.value = value;
      this.json = this.write(value);
    }
    return this.json;
  }
}

/** The log thread's side: a ring decoder that answers each prediction frame's JSON line. */
export class PredictionFrameReader {
  /** Per context id, its part of a line: `,"model":...,"version":...,"arm":...`. */
  private readonly contexts = new Map<number, string>();
  /** Per name list id, each name as it opens its member: `"name":`, with the comma before all but the first. */
  private readonly keySets = new Map<number, string[]>();
  /** `{"predictionId":"<processId>-`: the start of every line. */
  private readonly start: string;
  private readonly requestIds = new LastJson<string>((id) => JSON.stringify(id));
  private readonly times = new LastJson<number>((ms) => new Date(ms).toISOString());
  private readonly latencies = new LastJson<number>(jsonNumber);
  /** Where the next value starts (values have no fixed size). */
  private at = 0;

  /**
   * @param processId the prefix of prediction ids (the writer's process), `<processId>-<sequence in base 36>`
   * @param definitions definition frames written before this reader started (see `PredictionFrameWriter.definitions`)
   */
  constructor(processId: string, definitions: Array<[number, string]> = []) {
    const quoted = JSON.stringify(`${processId}-`);
    this.start = '{"predictionId":' + quoted.slice(0, -1);
    for (const [type, json] of definitions) this.define(type, json);
  }

  readonly decode: RecordDecoder = (bytes, view, start, length) => {
    const type = bytes[start];
    if (type === PREDICTION) return this.line(bytes, view, start);
    if (type !== CONTEXT && type !== KEYS) throw new Error(`not a prediction log frame (type ${type})`);
    this.define(type, bytes.toString('utf8', start + 1, start + length));
    return undefined;
  };

  private define(type: number, json: string): void {
    const d = JSON.parse(json) as { id: number; model: string; version: number; arm: string; keys: string[] };
    if (type === CONTEXT) this.contexts.set(d.id, `,"model":${JSON.stringify(d.model)},"version":${jsonNumber(d.version)},"arm":${JSON.stringify(d.arm)}`);
    else this.keySets.set(d.id, d.keys.map((k, i) => `${i > 0 ? ',' : ''}${JSON.stringify(k)}:`));
  }

  private line(bytes: Buffer, view: DataView, at: number): string {
    const context = this.contexts.get(view.getUint16(at + 2, true));
    const inputs = this.keySets.get(view.getUint32(at + 4, true));
    const entityId = view.getUint32(at + 44, true);
    const entity = entityId === NO_ENTITY ? undefined : this.keySets.get(entityId);
    if (context === undefined || !inputs || (entityId !== NO_ENTITY && !entity)) throw new Error('prediction frame without its definitions');
    this.at = at + HEADER;
    let values = '';
    for (let i = 0; i < inputs.length; i++) values += inputs[i] + this.value(bytes, view);
    let entityJson = '';
    if (entity) {
      entityJson = ',"entity":{';
      for (let i = 0; i < entity.length; i++) entityJson += entity[i] + this.value(bytes, view);
      entityJson += '}';
    }
    const requestLength = view.getUint32(at + 40, true);
    const requestId = requestLength === 0 ? '' : bytes.toString('utf16le', this.at, this.at + 2 * requestLength);
    return (
      this.start +
      view.getFloat64(at + 8, true).toString(36) +
      '","requestId":' +
      this.requestIds.of(requestId) +
      context +
      ',"inputs":{' +
      values +
      '},"output":' +
      jsonNumber(view.getFloat64(at + 16, true)) +
      ',"latencyMs":' +
      this.latencies.of(view.getFloat64(at + 24, true)) +
      ',"predictedAt":"' +
      this.times.of(view.getFloat64(at + 32, true)) +
      '"' +
      entityJson +
      '}'
    );
  }

  /** The JSON of the value at `this.at`, which moves on to the next one. */
  private value(bytes: Buffer, view: DataView): string {
    const at = this.at;
    switch (bytes[at]) {
      case NUMBER:
        this.at = at + 9;
        return jsonNumber(view.getFloat64(at + 1, true));
      case STRING: {
        const end = at + 5 + 2 * view.getUint32(at + 1, true);
        this.at = end;
        return JSON.stringify(bytes.toString('utf16le', at + 5, end));
      }
      case TRUE:
        this.at = at + 1;
        return 'true';
      case FALSE:
        this.at = at + 1;
        return 'false';
      default:
        this.at = at + 1;
        return 'null';
    }
  }
}
