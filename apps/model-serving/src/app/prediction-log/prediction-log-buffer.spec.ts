import type { PredictionLogRecord } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PredictionLogBuffer, PredictionLogFullError, type EncodedRecord } from './prediction-log-buffer';

const record = (i: number): EncodedRecord => JSON.stringify({
  predictionId: `p-${i}`,
  requestId: 'r',
  model: 'churn',
  version: 1,
  arm: 'champion',
  inputs: { x: i },
  output: i / 1000,
  latencyMs: 1,
  predictedAt: new Date(0).toISOString(),
});
const idOf = (line: EncodedRecord) => (JSON.parse(line) as PredictionLogRecord).predictionId;

/** A warehouse that can be switched off; it deduplicates on predictionId like the real one. */
class Warehouse {
  up = true;
  readonly ids = new Set<string>();
  send = async (records: EncodedRecord[]) => {
    if (!this.up) throw new Error('warehouse down');
    for (const r of records) this.ids.add(idOf(r));
  };
}

describe('PredictionLogBuffer', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plog-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('spills to disk while the warehouse is down and delivers everything once it is back', async () => {
    const wh = new Warehouse();
    const buffer = new PredictionLogBuffer({ capacity: 100, overflow: 'spill', spillDir: dir, batchSize: 50, segmentRecords: 120 }, wh.send);
    wh.up = false;
    for (let i = 0; i < 1000; i += 10) buffer.offer(Array.from({ length: 10 }, (_, j) => record(i + j)));
    expect(await buffer.flush()).toBe(0);
    expect(buffer.inMemory).toBe(100);
    expect(buffer.spilledRecords()).toBe(900);
    wh.up = true;
    expect(await buffer.flush()).toBe(1000);
    expect(wh.ids.size).toBe(1000);
    expect(buffer.segments()).toEqual([]);
    expect(buffer.stats).toMatchObject({ accepted: 1000, spilled: 900, sent: 1000 });
  });

  it('counts the records on disk without reading a sealed file twice, also files another writer put there', async () => {
    const wh = new Warehouse();
    wh.up = false;
    const buffer = new PredictionLogBuffer({ capacity: 10, overflow: 'spill', spillDir: dir, batchSize: 50, segmentRecords: 100 }, wh.send);
    for (let i = 0; i < 260; i += 10) buffer.offer(Array.from({ length: 10 }, (_, j) => record(i + j))); // 10 in memory, 250 on disk
    fs.writeFileSync(path.join(dir, 'segment-000000000000001-1.jsonl'), `${record(1000)}\n${record(1001)}\n`); // e.g. the request thread's overflow
    const read = jest.spyOn(fs, 'readFileSync');
    try {
      expect(buffer.spilledRecords()).toBe(252);
      expect(read).toHaveBeenCalledTimes(1); // the foreign file; the buffer's own segments it counted as it wrote them
      buffer.offer([record(2000)]);
      expect(buffer.spilledRecords()).toBe(253); // the open segment grows
      expect(read).toHaveBeenCalledTimes(1);
    } finally {
      read.mockRestore();
    }
    wh.up = true;
    await buffer.flush();
    expect(buffer.spilledRecords()).toBe(0);
    expect(wh.ids.size).toBe(263);
  });

  it('pushes back instead of dropping when configured, and accepts again after a flush', async () => {
    const wh = new Warehouse();
    const buffer = new PredictionLogBuffer({ capacity: 20, overflow: 'backpressure', batchSize: 10 }, wh.send);
    wh.up = false;
    buffer.offer(Array.from({ length: 20 }, (_, i) => record(i)));
    expect(() => buffer.assertRoom(1)).toThrow(PredictionLogFullError);
    expect(() => buffer.offer([record(99)])).toThrow(PredictionLogFullError);
    await buffer.flush();
    expect(buffer.inMemory).toBe(20); // a failed send keeps the records, in order
    wh.up = true;
    await buffer.flush();
    expect(wh.ids.size).toBe(20);
    expect(() => buffer.assertRoom(20)).not.toThrow();
  });

  it('keeps unsent records on disk at shutdown and sends them after a restart', async () => {
    const wh = new Warehouse();
    wh.up = false;
    const first = new PredictionLogBuffer({ capacity: 1000, overflow: 'spill', spillDir: dir, batchSize: 100 }, wh.send);
    first.offer([record(1), record(2), record(3)]);
    expect(await first.close()).toEqual({ unsent: 3, persisted: 3 });
    wh.up = true;
    const second = new PredictionLogBuffer({ capacity: 1000, overflow: 'spill', spillDir: dir, batchSize: 100 }, wh.send);
    expect(await second.flush()).toBe(3);
    expect([...wh.ids].sort()).toEqual(['p-1', 'p-2', 'p-3']);
  });

  it('counts the records of a send in flight against the capacity: back pressure holds and memory stays bounded', async () => {
    let fail!: (err: Error) => void;
    const send = () => new Promise<void>((_, reject) => (fail = reject)); // a warehouse that hangs, then fails
    const buffer = new PredictionLogBuffer({ capacity: 5, overflow: 'backpressure', spillDir: dir, batchSize: 5 }, send);
    buffer.offer([record(1), record(2), record(3), record(4), record(5)]);
    const flushing = buffer.flush(); // takes all five out of memory for the send
    expect(buffer.inMemory).toBe(5);
    expect(() => buffer.assertRoom(1)).toThrow(PredictionLogFullError);
    expect(() => buffer.offer([record(6)])).toThrow(PredictionLogFullError);
    fail(new Error('warehouse down'));
    expect(await flushing).toBe(0);
    expect(buffer.inMemory).toBe(5); // back in memory, nothing lost, nothing over the bound

    const spilling = new PredictionLogBuffer({ capacity: 3, overflow: 'spill', spillDir: dir, batchSize: 3 }, send);
    spilling.offer([record(7), record(8), record(9)]);
    const inFlight = spilling.flush();
    spilling.offer([record(10)]); // no room while three are in flight: to disk
    expect(spilling.stats.spilled).toBe(1);
    fail(new Error('warehouse down'));
    await inFlight;
    expect(spilling.inMemory).toBe(3);
  });

  it('sets a batch the warehouse refuses aside in a rejected file instead of retrying it, and goes on with the rest', async () => {
    const wh = new Warehouse();
    const refused = new Set(['p-3']);
    const send = async (records: EncodedRecord[]) => {
      if (records.some((r) => refused.has(idOf(r)))) throw new PlatformError(400, 'INVALID_PREDICTION_LOG', 'invalid lines');
      await wh.send(records);
    };
    const isRefusal = (err: unknown) => err instanceof PlatformError && err.status === 400;
    const buffer = new PredictionLogBuffer({ capacity: 100, overflow: 'spill', spillDir: dir, batchSize: 2, isRefusal }, send);
    buffer.offer([0, 1, 2, 3, 4, 5].map(record));
    expect(await buffer.flush()).toBe(4); // batches [0,1] [2,3] [4,5]: the middle one is set aside
    expect([...wh.ids].sort()).toEqual(['p-0', 'p-1', 'p-4', 'p-5']);
    expect(buffer.inMemory).toBe(0);
    expect(buffer.stats).toMatchObject({ sent: 4, rejected: 2, sendFailures: 0 });
    const files = buffer.rejectedFiles();
    expect(files).toHaveLength(1);
    expect(fs.readFileSync(files[0], 'utf8')).toBe(`${record(2)}\n${record(3)}\n`); // the lines as they were, ready to replay
    expect(buffer.segments()).toEqual([]); // never picked up again as a spill segment
    expect(buffer.lastRefusal).toMatchObject({ records: 2, error: 'invalid lines', file: files[0] });
  });

  it('counts the records the warehouse set aside on its side as rejected and the rest as sent, and sends nothing twice', async () => {
    const got: string[] = [];
    const send = async (records: EncodedRecord[]) => {
      got.push(...records);
      return { rejected: records.filter((r) => idOf(r).endsWith('3')).length };
    };
    const buffer = new PredictionLogBuffer({ capacity: 100, overflow: 'backpressure', batchSize: 10 }, send);
    buffer.offer(Array.from({ length: 20 }, (_, i) => record(i)));
    await buffer.flush();
    expect(got).toHaveLength(20);
    expect([buffer.stats.sent, buffer.stats.rejected, buffer.inMemory]).toEqual([18, 2, 0]);
    expect(buffer.lastRefusal).toMatchObject({ records: 1, file: expect.stringContaining('dwh.prediction_log_rejected') });
  });

  it('keeps a refused batch in memory and retries it when there is no spill directory to set it aside in', async () => {
    let refuse = true;
    const wh = new Warehouse();
    const send = async (records: EncodedRecord[]) => {
      if (refuse) throw new PlatformError(400, 'INVALID_PREDICTION_LOG', 'invalid lines');
      await wh.send(records);
    };
    const buffer = new PredictionLogBuffer({ capacity: 10, overflow: 'backpressure', batchSize: 5, isRefusal: () => true }, send);
    buffer.offer([record(1), record(2)]);
    expect(await buffer.flush()).toBe(0);
    expect(buffer.inMemory).toBe(2); // nothing dropped
    expect(buffer.stats).toMatchObject({ rejected: 0, sendFailures: 1 });
    refuse = false;
    expect(await buffer.flush()).toBe(2);
    expect([...wh.ids].sort()).toEqual(['p-1', 'p-2']);
  });
});

