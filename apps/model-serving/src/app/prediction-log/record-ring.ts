/** Control words at the start of the shared memory (Int32 slots). */
const HEAD = 0; // producer: byte offset of the next record
const TAIL = 1; // consumer: byte offset of the next unread record
const WRITTEN = 2; // producer: records written (wraps at 2^32; differences stay right)
const READ = 3; // consumer: records read
const HELD = 4; // consumer: records it holds after reading them (its buffer's memory)
const CONTROL_BYTES = 32;
/** A length word that sends the reader back to the start of the data region. */
const WRAP = -1;

const align4 = (n: number) => (n + 3) & ~3;

/**
 * A single-producer, single-consumer ring of text records (one prediction log line each) in a
 * SharedArrayBuffer, between the thread that makes predictions and the thread that ships their log.
 *
 * The producer pays for one copy per record and nothing else: no message, no allocation that
 * outlives the call, no wake-up of the other thread (the consumer polls). Records are UTF-8 text
 * (`write`) or bytes a writer lays out itself (`reserve`/`commit`) and a decoder reads back. Each record is a 4-byte
 * length and its bytes, padded to 4; a record that does not fit before the end of the region starts
 * again at its beginning behind a wrap word. Offsets are published with Atomics (the writer stores
 * the bytes, then the head; the reader loads the head, then the bytes), so neither side ever sees a
 * half-written record. The ring never overwrites: `write` answers false when there is no room.
 */
/** Turns one record's bytes into a log line, or answers undefined for a record that is not a line. */
export type RecordDecoder = (bytes: Buffer, view: DataView, start: number, length: number) => string | undefined;

/** Records written with `write` are UTF-8 text. */
export const textRecord: RecordDecoder = (bytes, _view, start, length) => bytes.toString('utf8', start, start + length);

export class RecordRing {
  private readonly control: Int32Array;
  /** The record region, for writers and decoders of binary records (see `reserve`). */
  readonly bytes: Buffer;
  readonly view: DataView;
  private readonly words: Int32Array;
  private readonly size: number;

  /** A new ring with `bytes` of record space (rounded down to a multiple of 4; at least 64). */
  static create(bytes: number): RecordRing {
    const size = Math.max(64, Math.floor(bytes / 4) * 4);
    return new RecordRing(new SharedArrayBuffer(CONTROL_BYTES + size));
  }

  /** Either side of a ring: the other thread passes the SharedArrayBuffer it got from `shared`. */
  constructor(readonly shared: SharedArrayBuffer) {
    this.control = new Int32Array(shared, 0, CONTROL_BYTES / 4);
    this.size = shared.byteLength - CONTROL_BYTES;
    this.bytes = Buffer.from(shared, CONTROL_BYTES, this.size);
    this.view = new DataView(shared, CONTROL_BYTES, this.size);
    this.words = new Int32Array(shared, CONTROL_BYTES, this.size / 4);
  }

  /** Bytes of record space. */
  get capacityBytes(): number {
    return this.size;
  }

  /** Log lines written and not yet read. */
  get pending(): number {
    return (Atomics.load(this.control, WRITTEN) - Atomics.load(this.control, READ)) | 0;
  }

  /** What the consumer said it holds (see `setHeld`). */
  get held(): number {
    return Atomics.load(this.control, HELD);
  }

  /** Bytes the producer can still use (an upper bound for one record: a wrap may waste the end). */
  get freeBytes(): number {
    const head = Atomics.load(this.control, HEAD);
    const tail = Atomics.load(this.control, TAIL);
    return head >= tail ? this.size - head + tail - 4 : tail - head - 4;
  }

  /** Producer: appends one text record, or answers false (and writes nothing) when it does not fit. */
  write(text: string): boolean {
    // Try with the UTF-8 upper bound first (no scan of the text); measure only when that is too much.
    let at = this.reserve(text.length * 3);
    if (at < 0) {
      at = this.reserve(Buffer.byteLength(text, 'utf8'));
      if (at < 0) return false;
    }
    this.commit(at, this.bytes.write(text, at, 'utf8'));
    return true;
  }

  /**
   * Producer: room for a record of at most `bytes` bytes. Answers where its bytes go (write them
   * into `bytes`/`view` there, then `commit`), or -1 when it does not fit. Nothing is visible to the
   * consumer before `commit`.
   */
  reserve(bytes: number): number {
    const head = Atomics.load(this.control, HEAD);
    const tail = Atomics.load(this.control, TAIL);
    const at = this.placeFor(4 + align4(bytes), head, tail);
    if (at < 0) return -1;
    if (at !== head) this.words[head >> 2] = WRAP;
    return at + 4;
  }

  /**
   * Producer: publishes the record reserved at `at` with its actual length (at most the reserved
   * bytes). A record that is not a log line (its decoder answers undefined) is not `counted` in
   * `pending`.
   */
  commit(at: number, length: number, counted = true): void {
    const start = at - 4;
    this.words[start >> 2] = length;
    let next = at + align4(length);
    if (next === this.size) next = 0;
    Atomics.store(this.control, HEAD, next);
    if (counted) Atomics.add(this.control, WRITTEN, 1);
  }

  /**
   * Where a record of `need` bytes goes (head, or 0 after a wrap), or -1. The head never reaches the
   * tail from behind: head === tail means empty.
   */
  private placeFor(need: number, head: number, tail: number): number {
    if (head >= tail) {
      const end = this.size - head;
      if (need < end || (need === end && tail !== 0)) return head;
      return need < tail ? 0 : -1; // wrap: the end is skipped
    }
    return need < tail - head ? head : -1;
  }

  /** Consumer: takes up to `max` records, oldest first, as lines (records the decoder skips count towards `max`). */
  read(max: number, decode: RecordDecoder = textRecord): string[] {
    const out: string[] = [];
    const head = Atomics.load(this.control, HEAD);
    let tail = Atomics.load(this.control, TAIL);
    let taken = 0;
    while (tail !== head && taken < max) {
      const length = this.words[tail >> 2];
      if (length === WRAP) {
        tail = 0;
        continue;
      }
      const line = decode(this.bytes, this.view, tail + 4, length);
      if (line !== undefined) out.push(line);
      taken++;
      tail += 4 + align4(length);
      if (tail === this.size) tail = 0;
    }
    Atomics.store(this.control, TAIL, tail);
    Atomics.add(this.control, READ, out.length);
    return out;
  }

  /** Consumer: publishes how many records it holds after reading them, for the producer's budget. */
  setHeld(records: number): void {
    Atomics.store(this.control, HELD, records);
  }
}
