// A progress bar for long demo steps: redrawn in place on a terminal, and a line per 10% when the
// output is a file or a CI log (where carriage returns would make a mess).
export class ProgressBar {
  constructor(stream, label, { width = 30, minIntervalMs = 100 } = {}) {
    this.stream = stream;
    this.label = label;
    this.width = width;
    this.minIntervalMs = minIntervalMs;
    this.tty = Boolean(stream.isTTY);
    this.lastDraw = 0;
    this.lastDecile = -1;
    this.text = '';
  }

  update(fraction, text = '') {
    const f = Math.max(0, Math.min(1, Number.isFinite(fraction) ? fraction : 0));
    this.fraction = f;
    this.text = text;
    if (this.tty) {
      const now = Date.now();
      if (now - this.lastDraw < this.minIntervalMs && f < 1) return;
      this.lastDraw = now;
      const filled = Math.round(f * this.width);
      this.stream.write(`\r${this.label} [${'#'.repeat(filled)}${'.'.repeat(this.width - filled)}] ${(f * 100).toFixed(0).padStart(3)}%  ${text}\x1b[K`);
    } else {
      const decile = Math.floor(f * 10);
      if (decile > this.lastDecile) {
        this.lastDecile = decile;
        this.stream.write(`${this.label}: ${decile * 10}%  ${text}\n`);
      }
    }
  }

  done(text = this.text) {
    if (this.tty) {
      this.lastDraw = 0;
      this.update(1, text);
      this.stream.write('\n');
    } else if (this.lastDecile < 10) {
      this.update(1, text);
    }
  }
}
