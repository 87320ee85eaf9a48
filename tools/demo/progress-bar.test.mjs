import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProgressBar } from './progress-bar.mjs';

const sink = (isTTY) => ({ isTTY, out: '', write(s) { this.out += s; return true; } });

describe('progress bar', () => {
  it('prints one line per 10% in a log, never a carriage return', () => {
    const stream = sink(false);
    const bar = new ProgressBar(stream, 'events');
    for (let i = 0; i <= 1000; i++) bar.update(i / 1000, `${i} events`);
    bar.done();
    const lines = stream.out.trim().split('\n');
    assert.equal(lines.length, 11);
    assert.equal(lines[0], 'events: 0%  0 events');
    assert.equal(lines.at(-1), 'events: 100%  1000 events');
    assert.ok(!stream.out.includes('\r'));
  });

  it('redraws in place on a terminal and ends with a full bar on its own line', () => {
    const stream = sink(true);
    const bar = new ProgressBar(stream, 'events', { width: 10, minIntervalMs: 0 });
    bar.update(0.5, 'half');
    bar.done('all');
    assert.ok(stream.out.startsWith('\revents [#####.....]  50%  half'));
    assert.ok(stream.out.endsWith('\revents [##########] 100%  all\x1b[K\n'));
  });
});
