import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { LineDecoder, LineResult } from '../../src/protocol/line-decoder';

/** Lines as their text, errors as `!code`, so one deepEqual checks order and kind together. */
const lines = (results: LineResult[]) => results.map((r) => (r.kind === 'line' ? r.text : r.kind === 'file_chunk' ? `#${r.frame.file}/${r.frame.index}` : `!${r.code}`));

function feed(decoder: LineDecoder, chunks: Buffer[]): string[] {
  return chunks.flatMap((chunk) => lines(decoder.push(chunk)));
}

/** Cuts `bytes` at the given offsets (any order, duplicates allowed; empty chunks included). */
function cutAt(bytes: Buffer, offsets: number[]): Buffer[] {
  const points = offsets.map((offset) => offset % (bytes.length + 1)).sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const point of [...points, bytes.length]) {
    chunks.push(bytes.subarray(from, point));
    from = point;
  }
  return chunks;
}

const SAMPLE = 'é€😀 plain\nsecond ünïcödé line\n\nlast 😀\n';
const SAMPLE_LINES = ['é€😀 plain', 'second ünïcödé line', '', 'last 😀'];

describe('LineDecoder', () => {
  describe('splitting', () => {
    it('returns the same lines whatever byte offset a chunk is cut at, even inside a character', () => {
      const bytes = Buffer.from(SAMPLE, 'utf8');
      for (let cut = 0; cut <= bytes.length; cut++) {
        assert.deepEqual(feed(new LineDecoder(1024), cutAt(bytes, [cut])), SAMPLE_LINES, `cut at ${cut}`);
      }
    });

    it('returns the same lines for every pair of cut points', () => {
      const bytes = Buffer.from(SAMPLE, 'utf8');
      for (let first = 0; first <= bytes.length; first++) {
        for (let second = first; second <= bytes.length; second++) {
          assert.deepEqual(feed(new LineDecoder(1024), cutAt(bytes, [first, second])), SAMPLE_LINES, `cuts at ${first}, ${second}`);
        }
      }
    });

    it('decodes input fed one byte at a time', () => {
      const bytes = Buffer.from(SAMPLE, 'utf8');
      const chunks = [...bytes].map((byte) => Buffer.from([byte]));
      assert.deepEqual(feed(new LineDecoder(1024), chunks), SAMPLE_LINES);
    });

    it('splits many lines coalesced in one chunk and keeps an unfinished one for the next chunk', () => {
      const decoder = new LineDecoder(1024);
      const many = Array.from({ length: 500 }, (_, i) => `{"type":"ack","seq":${i}}`);
      assert.deepEqual(lines(decoder.push(Buffer.from(many.join('\n') + '\n{"type":'))), many);
      assert.equal(decoder.pendingBytes, 8);
      assert.deepEqual(lines(decoder.push(Buffer.from('"bye"}\n'))), ['{"type":"bye"}']);
      assert.equal(decoder.pendingBytes, 0);
    });

    it('returns empty lines as empty strings', () => {
      assert.deepEqual(lines(new LineDecoder(16).push(Buffer.from('\n\na\n\n'))), ['', '', 'a', '']);
    });

    it('keeps the carriage return of a CRLF line (JSON ignores it; plain-text mode strips it)', () => {
      assert.deepEqual(lines(new LineDecoder(64).push(Buffer.from('x\r\n\r\ny\r\n'))), ['x\r', '\r', 'y\r']);
    });

    it('copies what it keeps, so a caller may reuse its chunk buffer', () => {
      const decoder = new LineDecoder(64);
      const chunk = Buffer.from('abc');
      decoder.push(chunk);
      chunk.fill(0x7a);
      assert.deepEqual(lines(decoder.push(Buffer.from('\n'))), ['abc']);
    });
  });

  describe('the line length limit', () => {
    it('accepts a line of exactly the limit and refuses one byte more, in one chunk and across chunks', () => {
      const decoder = new LineDecoder(8);
      assert.deepEqual(lines(decoder.push(Buffer.from('12345678\n123456789\nnext\n'))), ['12345678', '!line_too_long', 'next']);
      assert.deepEqual(feed(decoder, [Buffer.from('1234'), Buffer.from('5678\n')]), ['12345678']);
      assert.deepEqual(feed(decoder, [Buffer.from('1234'), Buffer.from('56789\nnext\n')]), ['!line_too_long', 'next']);
    });

    it('counts the limit in bytes, not characters', () => {
      // Four 2-byte characters are 8 bytes; a fifth makes 10.
      assert.deepEqual(lines(new LineDecoder(8).push(Buffer.from('éééé\néééé é\n'))), ['éééé', '!line_too_long']);
    });

    it('reports an over-long line once when it arrives in one chunk, then decodes the following line', () => {
      const decoder = new LineDecoder(8);
      assert.deepEqual(lines(decoder.push(Buffer.from('0123456789abcdef\nok\n'))), ['!line_too_long', 'ok']);
    });

    it('reports an over-long line spanning several chunks once, skips the rest of it, and decodes the next line', () => {
      const decoder = new LineDecoder(8);
      assert.deepEqual(lines(decoder.push(Buffer.from('0123456789abc'))), ['!line_too_long']);
      assert.equal(decoder.pendingBytes, 0, 'nothing of the over-long line is kept');
      for (let i = 0; i < 100; i++) assert.deepEqual(lines(decoder.push(Buffer.from('more of the same line'))), []);
      assert.equal(decoder.pendingBytes, 0);
      assert.deepEqual(lines(decoder.push(Buffer.from('tail\nok\n'))), ['ok']);
    });

    it('reports a line that crosses the limit only in its last chunk once', () => {
      const decoder = new LineDecoder(8);
      assert.deepEqual(feed(decoder, [Buffer.from('123'), Buffer.from('456'), Buffer.from('789\n'), Buffer.from('ok\n')]), ['!line_too_long', 'ok']);
    });

    it('reports two over-long lines in a row as two errors', () => {
      const decoder = new LineDecoder(4);
      assert.deepEqual(feed(decoder, [Buffer.from('aaaaaa'), Buffer.from('\nbbbbbb'), Buffer.from('\nc\n')]), ['!line_too_long', '!line_too_long', 'c']);
    });
  });

  describe('UTF-8', () => {
    const invalid: Array<[string, number[]]> = [
      ['a lone continuation byte', [0x80]],
      ['an overlong encoding of "/"', [0xc0, 0xaf]],
      ['an overlong 3-byte encoding of NUL', [0xe0, 0x80, 0x80]],
      ['a truncated 3-byte sequence', [0xe2, 0x82]],
      ['a truncated 4-byte sequence', [0xf0, 0x9f, 0x98]],
      ['an encoded UTF-16 surrogate', [0xed, 0xa0, 0x80]],
      ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
      ['the byte 0xFF', [0xff]],
    ];
    for (const [what, bad] of invalid) {
      it(`reports ${what} as bad_utf8 without affecting the next line`, () => {
        const decoder = new LineDecoder(64);
        const got = lines(decoder.push(Buffer.concat([Buffer.from('a'), Buffer.from(bad), Buffer.from('\nfine é\n')])));
        assert.deepEqual(got, ['!bad_utf8', 'fine é']);
      });
    }

    it('reports a truncated sequence at the end of a line even when the next line starts with continuation bytes', () => {
      // "€" is E2 82 AC: the line ends after E2 82, and the next line starts with AC.
      const decoder = new LineDecoder(64);
      const got = feed(decoder, [Buffer.from([0x61, 0xe2, 0x82, 0x0a]), Buffer.from([0xac, 0x0a, 0x62, 0x0a])]);
      assert.deepEqual(got, ['!bad_utf8', '!bad_utf8', 'b']);
    });

    it('keeps a byte order mark as text instead of dropping it silently', () => {
      assert.deepEqual(lines(new LineDecoder(64).push(Buffer.from('\ufeffx\n', 'utf8'))), ['\ufeffx']);
    });
  });

  describe('flushPending', () => {
    it('hands out an unterminated line (plain-text clients send no newline)', () => {
      const decoder = new LineDecoder(64);
      assert.deepEqual(lines(decoder.push(Buffer.from('alice'))), []);
      assert.equal(decoder.pendingBytes, 5);
      assert.deepEqual(lines(decoder.flushPending()), ['alice']);
      assert.equal(decoder.pendingBytes, 0);
      assert.deepEqual(lines(decoder.flushPending()), []);
      assert.deepEqual(lines(decoder.push(Buffer.from('bob\n'))), ['bob']);
    });

    it('reports invalid UTF-8 in the unterminated line', () => {
      const decoder = new LineDecoder(64);
      decoder.push(Buffer.from([0x61, 0xe2]));
      assert.deepEqual(lines(decoder.flushPending()), ['!bad_utf8']);
    });

    it('ends a skipped over-long line without another error, and the next bytes start a new line', () => {
      const decoder = new LineDecoder(4);
      assert.deepEqual(lines(decoder.push(Buffer.from('too long'))), ['!line_too_long']);
      assert.deepEqual(lines(decoder.flushPending()), []);
      assert.deepEqual(lines(decoder.push(Buffer.from('ok\n'))), ['ok']);
    });
  });

  describe('properties', () => {
    // Well-formed Unicode (lone surrogates cannot be encoded as UTF-8) with the awkward characters
    // over-represented; "\n" removed because it ends a line.
    const unit = fc.oneof(fc.constantFrom('é', '€', '😀', '\r', '\u0000', '\ufeff', '{', '"'), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }));
    const lineArb = fc.string({ unit, maxLength: 40 }).map((s) => s.replace(/\n/g, ''));

    it('any lines, encoded and cut into any chunks, come back exactly', () => {
      fc.assert(
        fc.property(fc.array(lineArb, { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 12 }), (input, cuts) => {
          const bytes = Buffer.from(input.map((line) => line + '\n').join(''), 'utf8');
          assert.deepEqual(feed(new LineDecoder(1 << 20), cutAt(bytes, cuts)), input);
        }),
        { numRuns: 200 },
      );
    });

    it('any lines come back exactly when each is within the limit, and each over it is one line_too_long', () => {
      const limit = 24;
      fc.assert(
        fc.property(fc.array(lineArb, { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 12 }), (input, cuts) => {
          const bytes = Buffer.from(input.map((line) => line + '\n').join(''), 'utf8');
          const expected = input.map((line) => (Buffer.byteLength(line, 'utf8') <= limit ? line : '!line_too_long'));
          assert.deepEqual(feed(new LineDecoder(limit), cutAt(bytes, cuts)), expected);
        }),
        { numRuns: 200 },
      );
    });

    // Bytes with newlines and UTF-8 lead bytes frequent enough to matter.
    const byteArb = fc.oneof(fc.constantFrom(0x0a, 0x0d, 0x80, 0xc3, 0xe2, 0xf0, 0xff), fc.integer({ min: 0, max: 255 }));
    const chunksArb = fc.array(fc.array(byteArb, { maxLength: 64 }).map((bytes) => Buffer.from(bytes)), { maxLength: 20 });

    it('any bytes: never throws, no line over the limit, never holds more than the limit', () => {
      const limit = 16;
      fc.assert(
        fc.property(chunksArb, (chunks) => {
          const decoder = new LineDecoder(limit);
          for (const chunk of chunks) {
            for (const result of decoder.push(chunk)) {
              if (result.kind === 'line') assert.ok(Buffer.byteLength(result.text, 'utf8') <= limit);
            }
            assert.ok(decoder.pendingBytes <= limit);
          }
          for (const result of decoder.flushPending()) {
            if (result.kind === 'line') assert.ok(Buffer.byteLength(result.text, 'utf8') <= limit);
          }
        }),
        { numRuns: 300 },
      );
    });

    it('any bytes: one result per newline at most, and a good line after a newline is always decoded', () => {
      fc.assert(
        fc.property(chunksArb, (chunks) => {
          const decoder = new LineDecoder(16);
          const results = feed(decoder, chunks);
          const newlines = chunks.reduce((n, chunk) => n + chunk.filter((byte) => byte === 0x0a).length, 0);
          // Each newline ends at most one line; an over-long line may report before its newline.
          assert.ok(results.filter((r) => r !== '!line_too_long').length <= newlines);
          assert.deepEqual(feed(decoder, [Buffer.from('\nok\n')]).at(-1), 'ok');
        }),
        { numRuns: 300 },
      );
    });
  });
});
