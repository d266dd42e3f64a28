// A growable byte buffer for the host device channels. Bytes are appended by the core as instructions execute and
// handed to the host in batches, so the hot path never allocates per byte.

export class ByteSink {
  private buf = new Uint8Array(256);
  private len = 0;

  get length(): number {
    return this.len;
  }

  pushByte(b: number): void {
    if (this.len === this.buf.length) this.grow(1);
    this.buf[this.len++] = b;
  }

  pushFrom(src: Uint8Array, start: number, n: number): void {
    if (this.len + n > this.buf.length) this.grow(n);
    this.buf.set(src.subarray(start, start + n), this.len);
    this.len += n;
  }

  /** A copy of the buffered bytes; the buffer is emptied. */
  take(): Uint8Array {
    const out = this.buf.slice(0, this.len);
    this.len = 0;
    return out;
  }

  /** A copy of the buffered bytes; the buffer is kept. */
  peek(): Uint8Array {
    return this.buf.slice(0, this.len);
  }

  private grow(extra: number): void {
    let size = this.buf.length * 2;
    while (size < this.len + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
}
