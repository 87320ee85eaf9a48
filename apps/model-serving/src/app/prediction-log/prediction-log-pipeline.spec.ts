import type { PredictionLogRecord } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EncodedRecord } from './prediction-log-buffer';
import { isWarehouseRefusal, PredictionLogPipeline, type PredictionLogPipelineOptions, type PredictionLogSnapshot } from './prediction-log-pipeline';
import { RecordRing, textRecord } from './record-ring';

const record = (i: number): EncodedRecord =>
  JSON.stringify({ predictionId: `p-${i}`, requestId: 'r', model: 'churn', version: 1, arm: 'champion', inputs: { x: i, plan: 'pro' }, output: i / 7, latencyMs: 0.5, predictedAt: new Date(i).toISOString() });
/** The pipeline carries whatever lines its decoder makes of the ring's records: text here. */
const decode = textRecord;
const idOf = (line: EncodedRecord) => (JSON.parse(line) as PredictionLogRecord).predictionId;

/** A warehouse that can be switched off; it deduplicates on predictionId like the real one. */
class Warehouse {
  up = true;
  readonly lines: EncodedRecord[] = [];
  readonly ids = new Set<string>();
  batches = 0;
  send = async (lines: EncodedRecord[]) => {
    if (!this.up) throw new PlatformError(503, 'DEPENDENCY_UNAVAILABLE', 'warehouse down');
    this.batches++;
    for (const l of lines) {
      if (this.ids.has(idOf(l))) continue;
      this.ids.add(idOf(l));
      this.lines.push(l);
    }
  };
}

describe('PredictionLogPipeline', () => {
  let dir: string;
  let pipeline: PredictionLogPipeline | undefined;
  const options = (over: Partial<PredictionLogPipelineOptions> = {}): PredictionLogPipelineOptions => ({
    capacity: 1000, overflow: 'spill', spillDir: dir, batchSize: 50, flushMs: 60000, drainMs: 60000, reportMs: 0, ...over,
  });
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plog-pipe-'))));
  afterEach(async () => {
    await pipeline?.close();
    pipeline = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('delivers every line written to the ring, in order and unchanged, in batches of at most batchSize', async () => {
    const ring = RecordRing.create(1 << 20);
    const wh = new Warehouse();
    pipeline = new PredictionLogPipeline(ring, options(), decode, wh.send);
    const written = Array.from({ length: 321 }, (_, i) => record(i));
    for (const l of written) expect(ring.write(l)).toBe(true);
    expect(await pipeline.flush()).toBe(321);
    expect(wh.lines).toEqual(written);
    expect(wh.batches).toBe(7);
    expect(ring.pending).toBe(0);
    expect(ring.held).toBe(0);
  });

  it('tells the producer what it holds while the warehouse is down, spills past the capacity, and delivers all once it is back', async () => {
    const ring = RecordRing.create(1 << 20);
    const wh = new Warehouse();
    wh.up = false;
    const reports: PredictionLogSnapshot[] = [];
    pipeline = new PredictionLogPipeline(ring, options({ capacity: 40, batchSize: 25 }), decode, wh.send, (s) => reports.push(s));
    for (let i = 0; i < 100; i++) ring.write(record(i));
    expect(await pipeline.flush()).toBe(0);
    expect(ring.pending).toBe(0);
    expect(ring.held).toBe(40); // the rest went to disk
    expect(reports.at(-1)).toMatchObject({ inMemory: 40, onDisk: 60, spilled: 60, sendFailures: 1, sent: 0 });
    wh.up = true;
    expect(await pipeline.flush()).toBe(100);
    expect([...wh.ids].sort()).toEqual(Array.from({ length: 100 }, (_, i) => `p-${i}`).sort());
    expect(reports.at(-1)).toMatchObject({ inMemory: 0, onDisk: 0, sent: 100 });
  });

  it('keeps every answered record under back pressure: the producer refuses before predicting, not the consumer after', async () => {
    const ring = RecordRing.create(1 << 20);
    const wh = new Warehouse();
    wh.up = false;
    pipeline = new PredictionLogPipeline(ring, options({ capacity: 10, overflow: 'backpressure', spillDir: undefined }), decode, wh.send);
    for (let i = 0; i < 30; i++) ring.write(record(i));
    pipeline.drain();
    expect(ring.held).toBe(30);
    wh.up = true;
    expect(await pipeline.flush()).toBe(30);
  });

  it('sets a batch the warehouse refuses aside (4xx) and retries one it could not reach (503)', async () => {
    expect(isWarehouseRefusal(new PlatformError(400, 'INVALID_PREDICTION_LOG', 'bad'))).toBe(true);
    expect(isWarehouseRefusal(new PlatformError(503, 'DEPENDENCY_UNAVAILABLE', 'down'))).toBe(false);
    expect(isWarehouseRefusal(new PlatformError(429, 'RATE_LIMITED', 'slow down'))).toBe(false);
    const ring = RecordRing.create(1 << 20);
    const wh = new Warehouse();
    const send = async (lines: EncodedRecord[]) => {
      if (lines.some((l) => idOf(l) === 'p-3')) throw new PlatformError(400, 'INVALID_PREDICTION_LOG', 'invalid lines');
      await wh.send(lines);
    };
    pipeline = new PredictionLogPipeline(ring, options({ batchSize: 2 }), decode, send);
    for (let i = 0; i < 6; i++) ring.write(record(i));
    expect(await pipeline.flush()).toBe(4);
    const s = pipeline.snapshot();
    expect(s).toMatchObject({ sent: 4, rejected: 2, sendFailures: 0, lastRefusal: { records: 2, error: 'invalid lines' } });
    expect(s.rejectedFiles).toHaveLength(1);
    expect(fs.readFileSync(path.join(dir, s.rejectedFiles[0]), 'utf8')).toBe(`${record(2)}\n${record(3)}\n`);
  });

  it('drains on its timer and flushes once a batch is ready, without being asked', async () => {
    const ring = RecordRing.create(1 << 20);
    const wh = new Warehouse();
    pipeline = new PredictionLogPipeline(ring, options({ batchSize: 10, drainMs: 5 }), decode, wh.send);
    pipeline.start();
    for (let i = 0; i < 10; i++) ring.write(record(i));
    for (let waited = 0; wh.ids.size < 10 && waited < 5000; waited += 10) await new Promise((r) => setTimeout(r, 10));
    expect(wh.ids.size).toBe(10);
  });

  it('after a failed send waits for the flush timer instead of retrying on every drain', async () => {
    const ring = RecordRing.create(1 << 20);
    let attempts = 0;
    const send = async () => {
      attempts++;
      throw new PlatformError(503, 'DEPENDENCY_UNAVAILABLE', 'warehouse down');
    };
    pipeline = new PredictionLogPipeline(ring, options({ batchSize: 5, drainMs: 2, flushMs: 60000 }), decode, send);
    pipeline.start();
    for (let i = 0; i < 5; i++) ring.write(record(i));
    await new Promise((r) => setTimeout(r, 200));
    expect(attempts).toBe(1);
    expect(ring.held).toBe(5);
  });

  it('reports after flushes at most every reportMs, but at once when a send fails', async () => {
    const ring = RecordRing.create(1 << 20);
    const wh = new Warehouse();
    const reports: PredictionLogSnapshot[] = [];
    pipeline = new PredictionLogPipeline(ring, options({ batchSize: 1, reportMs: 60000 }), decode, wh.send, (s) => reports.push(s));
    for (let i = 0; i < 3; i++) {
      ring.write(record(i));
      await pipeline.flush();
    }
    expect(reports.map((r) => r.sent)).toEqual([1]); // the first report, then quiet
    wh.up = false;
    ring.write(record(3));
    await pipeline.flush();
    expect(reports.at(-1)).toMatchObject({ sent: 3, sendFailures: 1, inMemory: 1 });
  });

  it('joins a flush in progress instead of queueing behind it: a slow backlog does not pile up reports', async () => {
    const ring = RecordRing.create(1 << 20);
    let release = () => undefined as void;
    let sends = 0;
    const slow = async () => {
      sends++;
      await new Promise<void>((r) => (release = r));
    };
    const reports: PredictionLogSnapshot[] = [];
    pipeline = new PredictionLogPipeline(ring, options({ batchSize: 5, capacity: 20, reportMs: 0 }), decode, slow, (s) => reports.push(s));
    for (let i = 0; i < 30; i++) ring.write(record(i)); // 20 in memory, 10 spilled
    const first = pipeline.flush();
    const drains = Array.from({ length: 50 }, () => pipeline?.drain()); // the drain timer, while the send hangs
    expect(drains).toHaveLength(50);
    expect(pipeline.flush()).toBe(first);
    for (let i = 0; i < 6 && sends <= 6; i++) {
      await new Promise((r) => setImmediate(r));
      release();
    }
    await first;
    expect(reports).toHaveLength(1); // one flush, one report: not one per drain that asked meanwhile
    expect(reports[0]).toMatchObject({ sent: 30, onDisk: 0, inMemory: 0 });
  });

  it('at close takes what is left in the ring and writes what it cannot send to disk, for the next start', async () => {
    const ring = RecordRing.create(1 << 20);
    const wh = new Warehouse();
    wh.up = false;
    const first = new PredictionLogPipeline(ring, options(), decode, wh.send);
    for (let i = 0; i < 7; i++) ring.write(record(i));
    const closed = await first.close();
    expect(closed).toMatchObject({ unsent: 7, persisted: 7 });
    expect(ring.held).toBe(0);
    wh.up = true;
    pipeline = new PredictionLogPipeline(RecordRing.create(1024), options(), decode, wh.send);
    expect(await pipeline.flush()).toBe(7);
  });
});
