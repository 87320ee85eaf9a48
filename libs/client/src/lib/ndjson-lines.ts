const NEWLINE = 0x0a;

/**
 * Splits a byte stream into lines, each the exact bytes received including its `\n` (the last one
 * may lack it). A line may span chunks; bytes are never decoded here, so a checksum over the lines
 * is a checksum over what the server sent. Stopping early cancels the stream (the connection closes).
 */
export async function* byteLines(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  // The start of a line whose end has not arrived yet, in pieces: joined once, when it ends.
  let carry: Uint8Array[] = [];
  let finished = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      let start = 0;
      let nl: number;
      while ((nl = value.indexOf(NEWLINE, start)) >= 0) {
        const piece = value.subarray(start, nl + 1);
        start = nl + 1;
        if (carry.length) {
          carry.push(piece);
          const line = concat(carry);
          carry = [];
          yield line;
        } else yield piece;
      }
      if (start < value.length) carry.push(value.subarray(start));
    }
    finished = true;
    if (carry.length) yield concat(carry);
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Parses a byte stream of NDJSON into one value per line (a line may span chunks; blank lines are skipped). */
export async function* ndjsonLines<T = unknown>(body: ReadableStream<Uint8Array>): AsyncGenerator<T> {
  const decoder = new TextDecoder();
  for await (const bytes of byteLines(body)) {
    const line = decoder.decode(bytes).trim();
    if (line) yield JSON.parse(line) as T;
  }
}
