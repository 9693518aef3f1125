/**
 * Splits a byte stream into lines without decoding them: the load generator reads millions of
 * lines a second and only ever needs the first few hundred bytes of one (type, seq, id). A line
 * that spans chunks keeps only its head (HEAD_BYTES), so a 1 MB roster costs no copies.
 */
export const HEAD_BYTES = 512;

export class LineScanner {
  /** @param {(buf: Buffer, start: number, end: number) => void} onLine */
  constructor(onLine) {
    this.onLine = onLine;
    this.head = null;
    this.headLength = 0;
    this.spanning = false;
  }

  push(chunk) {
    let start = 0;
    if (this.spanning) {
      const newline = chunk.indexOf(10);
      if (newline === -1) {
        this.keep(chunk, 0, chunk.length);
        return;
      }
      this.keep(chunk, 0, newline);
      this.spanning = false;
      const length = this.headLength;
      this.headLength = 0;
      this.onLine(this.head, 0, length);
      start = newline + 1;
    }
    let newline = chunk.indexOf(10, start);
    while (newline !== -1) {
      this.onLine(chunk, start, newline);
      start = newline + 1;
      newline = chunk.indexOf(10, start);
    }
    if (start < chunk.length) {
      this.spanning = true;
      this.keep(chunk, start, chunk.length);
    }
  }

  keep(chunk, start, end) {
    if (this.headLength >= HEAD_BYTES) return;
    this.head ??= Buffer.allocUnsafe(HEAD_BYTES);
    const copied = chunk.copy(this.head, this.headLength, start, Math.min(end, start + HEAD_BYTES - this.headLength));
    this.headLength += copied;
  }
}
