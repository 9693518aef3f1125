import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { LineDecoder, LineResult } from '../../src/protocol/line-decoder';

const lines = (results: LineResult[]) => results.map((r) => (r.kind === 'line' ? r.text : `!${r.code}`));

function feed(decoder: LineDecoder, chunks: Buffer[]): string[] {
  return chunks.flatMap((chunk) => lines(decoder.push(chunk)));
}

describe('LineDecoder', () => {
  it('returns the same lines whatever byte offset a chunk is cut at, even inside a character', () => {
    const text = 'é€😀 plain\nsecond ünïcödé line\n\nlast 😀\n';
    const bytes = Buffer.from(text, 'utf8');
    for (let cut = 0; cut <= bytes.length; cut++) {
      const got = feed(new LineDecoder(1024), [bytes.subarray(0, cut), bytes.subarray(cut)]);
      assert.deepEqual(got, ['é€😀 plain', 'second ünïcödé line', '', 'last 😀'], `cut at ${cut}`);
    }
  });

  it('splits coalesced lines and keeps an unfinished one for the next chunk', () => {
    const decoder = new LineDecoder(1024);
    assert.deepEqual(lines(decoder.push(Buffer.from('a\nb\nc'))), ['a', 'b']);
    assert.equal(decoder.pendingBytes, 1);
    assert.deepEqual(lines(decoder.push(Buffer.from('d\n'))), ['cd']);
  });

  it('keeps a carriage return (callers decide; JSON ignores it)', () => {
    assert.deepEqual(lines(new LineDecoder(64).push(Buffer.from('x\r\n'))), ['x\r']);
  });

  it('reports an over-long line once, skips the rest of it, and decodes the next line', () => {
    const decoder = new LineDecoder(8);
    assert.deepEqual(lines(decoder.push(Buffer.from('0123456789abc'))), ['!line_too_long']);
    assert.deepEqual(lines(decoder.push(Buffer.from('more of the same line'))), []);
    assert.deepEqual(lines(decoder.push(Buffer.from('tail\nok\n'))), ['ok']);
  });

  it('accepts a line of exactly the limit and refuses one byte more, across chunks too', () => {
    const decoder = new LineDecoder(8);
    assert.deepEqual(feed(decoder, [Buffer.from('1234'), Buffer.from('5678\n')]), ['12345678']);
    assert.deepEqual(feed(decoder, [Buffer.from('1234'), Buffer.from('56789\nnext\n')]), ['!line_too_long', 'next']);
  });

  it('reports invalid UTF-8 per line without losing the next line', () => {
    for (const bad of [[0x80], [0xc0, 0xaf], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xff]]) {
      const decoder = new LineDecoder(64);
      const got = lines(decoder.push(Buffer.concat([Buffer.from('a'), Buffer.from(bad), Buffer.from('\nfine\n')])));
      assert.deepEqual(got, ['!bad_utf8', 'fine'], Buffer.from(bad).toString('hex'));
    }
  });

  it('hands out an unterminated line on flushPending (plain-text clients send no newline)', () => {
    const decoder = new LineDecoder(64);
    assert.deepEqual(lines(decoder.push(Buffer.from('alice'))), []);
    assert.deepEqual(lines(decoder.flushPending()), ['alice']);
    assert.deepEqual(lines(decoder.flushPending()), []);
  });

  it('property: any lines cut into any chunks come back exactly', () => {
    const arbitraryLines = fc.array(fc.string({ unit: 'binary' }).map((s) => s.replace(/\n/g, '')), { maxLength: 20 });
    fc.assert(
      fc.property(arbitraryLines, fc.array(fc.nat(), { maxLength: 10 }), (input, cuts) => {
        const bytes = Buffer.from(input.map((line) => line + '\n').join(''), 'utf8');
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const chunks: Buffer[] = [];
        let from = 0;
        for (const point of [...points, bytes.length]) {
          chunks.push(bytes.subarray(from, point));
          from = point;
        }
        // Lone surrogates are not representable in UTF-8: compare with what encoding makes of them.
        const expected = input.map((line) => Buffer.from(line, 'utf8').toString('utf8'));
        assert.deepEqual(feed(new LineDecoder(1 << 20), chunks), expected);
      }),
      { numRuns: 200 },
    );
  });

  it('property: arbitrary bytes never throw and never yield a line over the limit', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 20 }), (chunks) => {
        const decoder = new LineDecoder(16);
        for (const chunk of chunks) {
          for (const result of decoder.push(Buffer.from(chunk))) {
            if (result.kind === 'line') assert.ok(Buffer.byteLength(result.text, 'utf8') <= 16);
          }
        }
        assert.ok(decoder.pendingBytes <= 16);
      }),
      { numRuns: 300 },
    );
  });
});
