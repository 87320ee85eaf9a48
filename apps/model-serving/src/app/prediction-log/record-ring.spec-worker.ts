// Test-only worker for record-ring.spec: reads records as they come and reports their count, order
// and a checksum of their numbers.
import { parentPort, workerData } from 'node:worker_threads';
import { RecordRing } from './record-ring';

const { ring: shared, total } = workerData as { ring: SharedArrayBuffer; total: number };
const ring = new RecordRing(shared);
let count = 0;
let ordered = true;
let checksum = 0;
const poll = () => {
  for (const line of ring.read(1000)) {
    const n = (JSON.parse(line) as { n: number }).n;
    if (n !== count) ordered = false;
    checksum = (checksum + n) % 1_000_000_007;
    count++;
  }
  if (count >= total) parentPort?.postMessage({ count, ordered, checksum });
  else setImmediate(poll);
};
poll();
