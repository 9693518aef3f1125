/** Byte-level checks for the frames recognised before any UTF-8 decoding (file chunks). */

export function startsWithAt(line: Buffer, part: Buffer, at: number): boolean {
  return at + part.length <= line.length && line.compare(part, 0, part.length, at, at + part.length) === 0;
}

/** A byte of a file id: [A-Za-z0-9_-]. */
export function isIdByte(byte: number): boolean {
  return (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x30 && byte <= 0x39) || byte === 0x5f || byte === 0x2d;
}

export function isDigit(byte: number): boolean {
  return byte >= 0x30 && byte <= 0x39;
}
