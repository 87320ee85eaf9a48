import { startWorkerThread } from '@mlp/runtime';
import { RecordRing } from './record-ring';

/** A tiny deterministic generator, so a failure replays. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const texts = ['{"a":1}', '', 'é', '€ and 𝄞', '\ud800 lone surrogate', 'x'.repeat(100)];

describe('RecordRing', () => {
  it('returns records in order, byte for byte, multi-byte UTF-8 included', () => {
    const ring = RecordRing.create(4096);
    for (const t of texts) expect(ring.write(t)).toBe(true);
    expect(ring.pending).toBe(texts.length);
    // A lone surrogate cannot be UTF-8: it comes back as U+FFFD, as Buffer writes it.
    expect(ring.read(100)).toEqual(texts.map((t) => Buffer.from(t, 'utf8').toString('utf8')));
    expect(ring.pending).toBe(0);
  });

  it('reads at most max records per call', () => {
    const ring = RecordRing.create(4096);
    for (let i = 0; i < 10; i++) ring.write(String(i));
    expect(ring.read(3)).toEqual(['0', '1', '2']);
    expect(ring.pending).toBe(7);
    expect(ring.read(100)).toEqual(['3', '4', '5', '6', '7', '8', '9']);
  });

  it('refuses a record that does not fit, writes nothing, and takes it once there is room', () => {
    const ring = RecordRing.create(256);
    let written = 0;
    while (ring.write(`record-${written}-${'y'.repeat(20)}`)) written++;
    expect(written).toBeGreaterThan(3);
    expect(ring.pending).toBe(written);
    expect(ring.write('z')).toBe(false);
    expect(ring.pending).toBe(written);
    // Two records read make room for one more (the write position never catches up with the read
    // position, and the end of the region a record does not fit in is skipped).
    expect(ring.read(2)).toEqual([0, 1].map((i) => `record-${i}-${'y'.repeat(20)}`));
    expect(ring.write(`record-${written}-${'y'.repeat(20)}`)).toBe(true);
    const all = ring.read(1000);
    expect(all).toHaveLength(written - 1);
    expect(all[all.length - 1]).toBe(`record-${written}-${'y'.repeat(20)}`);
  });

  it('never loses or reorders records over many wrap-arounds of random sizes (against a plain queue)', () => {
    const next = random(42);
    const ring = RecordRing.create(1000);
    const queue: string[] = [];
    let id = 0;
    let refused = 0;
    for (let step = 0; step < 20000; step++) {
      if (next() < 0.55) {
        const text = `${id}:` + 'é€abc'.repeat(Math.floor(next() * 40));
        if (ring.write(text)) {
          queue.push(text);
          id++;
        } else refused++;
      } else {
        const got = ring.read(Math.floor(next() * 5) + 1);
        expect(got).toEqual(queue.splice(0, got.length));
      }
      expect(ring.pending).toBe(queue.length);
    }
    expect(ring.read(Number.MAX_SAFE_INTEGER)).toEqual(queue);
    expect(refused).toBeGreaterThan(0); // the ring was full at times: the refusal path ran
    expect(id).toBeGreaterThan(1000);
  });

  it('publishes what the consumer holds to the producer', () => {
    const ring = RecordRing.create(1024);
    const other = new RecordRing(ring.shared);
    other.setHeld(17);
    expect(ring.held).toBe(17);
  });

  it('hands every record across threads in order while both sides run', async () => {
    const ring = RecordRing.create(64 * 1024);
    const total = 50000;
    const worker = startWorkerThread(__dirname, 'record-ring.spec-worker', { workerData: { ring: ring.shared, total } });
    const done = new Promise<{ count: number; ordered: boolean; checksum: number }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    let checksum = 0;
    for (let i = 0; i < total; ) {
      const text = `{"n":${i},"pad":"${'p'.repeat(i % 50)}"}`;
      if (ring.write(text)) {
        checksum = (checksum + i) % 1_000_000_007;
        i++;
      } else await new Promise((r) => setImmediate(r)); // full: let the reader catch up
    }
    const result = await done;
    await worker.terminate();
    expect(result).toEqual({ count: total, ordered: true, checksum });
  }, 60000);
});
