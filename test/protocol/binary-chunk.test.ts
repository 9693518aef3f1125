import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { encodeBinaryChunk, parseBinaryChunkHeader } from '../../src/protocol/binary-chunk';
import { LIMITS } from '../../src/protocol/limits';
import { LineDecoder, LineResult } from '../../src/protocol/line-decoder';

/** Chunks as `#file/index:hex-of-bytes`, lines as text, errors as `!code`. */
const show = (results: LineResult[]) =>
  results.map((r) => (r.kind === 'line' ? r.text : r.kind === 'file_chunk' ? `#${r.frame.file}/${r.frame.index}:${r.frame.bytes?.toString('hex')}` : `!${r.code}`));

function binaryDecoder(): LineDecoder {
  const decoder = new LineDecoder(LIMITS.maxLineBytes);
  decoder.binaryChunks = true;
  return decoder;
}

function feed(decoder: LineDecoder, chunks: Buffer[]): string[] {
  return chunks.flatMap((chunk) => show(decoder.push(chunk)));
}

const header = (text: string) => Buffer.from(`${text}\n`, 'latin1');

describe('binary file chunks (PROTOCOL 19.1)', () => {
  it('writes one header line, exactly the bytes, and a newline', () => {
    const data = Buffer.from('a\nb\x00c', 'latin1');
    const frame = encodeBinaryChunk('f1', 7, data);
    assert.equal(frame.toString('latin1'), '{"type":"file_bytes","file":"f1","index":7,"length":5}\na\nb\x00c\n');
  });

  it('decodes a chunk whose bytes contain newlines, whatever offset the stream is cut at', () => {
    const data = Buffer.from('\n\n{"type":"send"}\n\xff\n', 'latin1');
    const stream = Buffer.concat([encodeBinaryChunk('f1', 0, data), Buffer.from('{"type":"ping"}\n'), encodeBinaryChunk('f1', 1, Buffer.alloc(0))]);
    const expected = [`#f1/0:${data.toString('hex')}`, '{"type":"ping"}', '#f1/1:'];
    for (let cut = 0; cut <= stream.length; cut++) {
      assert.deepEqual(feed(binaryDecoder(), [stream.subarray(0, cut), stream.subarray(cut)]), expected, `cut at ${cut}`);
    }
  });

  it('decodes any sequence of chunks and lines fed in any pieces', () => {
    const item = fc.oneof(
      fc.record({ index: fc.nat(1000), data: fc.uint8Array({ maxLength: 300 }) }),
      fc.string({ maxLength: 40 }).filter((text) => !text.includes('\n') && !text.startsWith('{"type":"file_bytes"')),
    );
    fc.assert(
      fc.property(fc.array(item, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 8 }), (items, cuts) => {
        const parts = items.map((it) => (typeof it === 'string' ? Buffer.from(`${it}\n`) : encodeBinaryChunk('f', it.index, it.data)));
        const expected = items.map((it) => (typeof it === 'string' ? it : `#f/${it.index}:${Buffer.from(it.data).toString('hex')}`));
        const stream = Buffer.concat(parts);
        const points = cuts.map((cut) => cut % (stream.length + 1)).sort((a, b) => a - b);
        const pieces: Buffer[] = [];
        let from = 0;
        for (const point of [...points, stream.length]) {
          pieces.push(stream.subarray(from, point));
          from = point;
        }
        assert.deepEqual(feed(binaryDecoder(), pieces), expected);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses malformed headers with bad_binary_frame and reads nothing after them', () => {
    const malformed = [
      '{"type":"file_bytes","file":"f1","index":01,"length":3}',
      '{"type":"file_bytes","file":"f1","index":1,"length":03}',
      '{"type":"file_bytes","file":"f1","index":1,"length":-3}',
      '{"type":"file_bytes","file":"f1","index":1,"length":3,"x":1}',
      '{"type":"file_bytes","file":"f1","index":1, "length":3}',
      '{"type":"file_bytes","file":"","index":1,"length":3}',
      '{"type":"file_bytes","file":"f/1","index":1,"length":3}',
      `{"type":"file_bytes","file":"f1","index":1,"length":${LIMITS.maxFileChunkBytes + 1}}`,
      '{"type":"file_bytes","file":"f1","index":99999999999999999999,"length":3}',
    ];
    for (const line of malformed) {
      const decoder = binaryDecoder();
      assert.deepEqual(feed(decoder, [header(line), Buffer.from('abc\n{"type":"ping"}\n')]), ['!bad_binary_frame'], line);
      assert.deepEqual(feed(decoder, [Buffer.from('{"type":"ping"}\n')]), [], `${line}: still lost`);
    }
  });

  it('refuses a chunk whose bytes are not followed by a newline (a wrong length)', () => {
    const decoder = binaryDecoder();
    const lying = Buffer.concat([header('{"type":"file_bytes","file":"f1","index":0,"length":2}'), Buffer.from('abc\n')]);
    assert.deepEqual(feed(decoder, [lying]), ['!bad_binary_frame']);
  });

  it('accepts the largest chunk and no larger', () => {
    const largest = randomBytes(LIMITS.maxFileChunkBytes);
    assert.deepEqual(feed(binaryDecoder(), [encodeBinaryChunk('f1', 0, largest)]), [`#f1/0:${largest.toString('hex')}`]);
    assert.deepEqual(parseBinaryChunkHeader(Buffer.from(`{"type":"file_bytes","file":"f1","index":0,"length":${LIMITS.maxFileChunkBytes + 1}}`)), { problem: `length over ${LIMITS.maxFileChunkBytes} bytes` });
  });

  it('is an ordinary line where binary chunks are not on (plain text, or not negotiated)', () => {
    const decoder = new LineDecoder(LIMITS.maxLineBytes);
    const line = '{"type":"file_bytes","file":"f1","index":0,"length":3}';
    assert.deepEqual(feed(decoder, [header(line), Buffer.from('abc\n')]), [line, 'abc']);
  });
});
