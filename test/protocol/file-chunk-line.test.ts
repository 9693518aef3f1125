import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { chunkBytes, encodeFileChunk, parseClientFrame, parseFileChunkLine } from '../../src/protocol/codec';
import { LIMITS } from '../../src/protocol/limits';
import { LineDecoder } from '../../src/protocol/line-decoder';

const fileId = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
const index = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const bytes = fc.uint8Array({ maxLength: 400 });
/** The line without its newline, as a decoder hands it over. */
const lineOf = (file: string, at: number, data: Uint8Array) => encodeFileChunk(file, at, data).subarray(0, -1);

describe('file chunk lines (the shortcut past JSON.parse)', () => {
  it('reads back what encodeFileChunk wrote, exactly as the general parser does', () => {
    fc.assert(
      fc.property(fileId, index, bytes, (file, at, data) => {
        const line = lineOf(file, at, data);
        const fast = parseFileChunkLine(line);
        const general = parseClientFrame(line.toString('utf8'));
        assert.ok(general.ok);
        const { bytes: decoded, ...frame } = fast!;
        assert.deepEqual(frame, general.frame);
        assert.deepEqual(decoded, Buffer.from(data), 'the shortcut hands over the decoded bytes');
        assert.deepEqual(chunkBytes(general.frame as typeof frame), Buffer.from(data));
      }),
    );
  });

  it('never accepts a damaged line the general parser rejects, nor reads one differently', () => {
    const damage = fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }), cut: fc.boolean() });
    fc.assert(
      fc.property(fileId, index, bytes, fc.array(damage, { minLength: 1, maxLength: 3 }), (file, at, data, edits) => {
        const line = Buffer.from(lineOf(file, at, data));
        let damaged: Buffer = line;
        for (const edit of edits) {
          const where = edit.at % damaged.length;
          if (edit.cut) damaged = Buffer.concat([damaged.subarray(0, where), damaged.subarray(where + 1)]);
          else damaged[where] = edit.byte;
        }
        const fast = parseFileChunkLine(damaged);
        if (fast === undefined) return;
        const general = parseClientFrame(damaged.toString('utf8'));
        assert.ok(general.ok, `shortcut accepted ${damaged.toString('latin1').slice(0, 120)}`);
        const { bytes: decoded, ...frame } = fast;
        assert.deepEqual(frame, general.frame);
        assert.deepEqual(decoded, chunkBytes(frame));
      }),
      { numRuns: 3000 },
    );
  });

  it('leaves every other spelling to the general parser', () => {
    const data = Buffer.alloc(30, 9).toString('base64');
    const others = [
      `{"type":"file_chunk","file":"f1","index":1,"data":"${data}" }`,
      `{"file":"f1","type":"file_chunk","index":1,"data":"${data}"}`,
      `{"type":"file_chunk","file":"f1","index":01,"data":"${data}"}`,
      `{"type":"file_chunk","file":"f1","index":1.0,"data":"${data}"}`,
      `{"type":"file_chunk","file":"f1","index":-1,"data":"${data}"}`,
      `{"type":"file_chunk","file":"f1","index":1,"data":"${data}","x":1}`,
      `{"type":"file_chunk","file":"${'a'.repeat(65)}","index":1,"data":"${data}"}`,
      `{"type":"file_chunk","file":"","index":1,"data":"${data}"}`,
      `{"type":"file_chunk","file":"f/1","index":1,"data":"${data}"}`,
      `{"type":"file_chunk","file":"f1","index":1,"data":"${data.slice(1)}"}`,
      `{"type":"file_chunk","file":"f1","index":1,"data":"${'A'.repeat(Math.ceil(LIMITS.maxFileChunkBytes / 3) * 4 + 4)}"}`,
      `{"type":"file_chunk","file":"f1","index":${Number.MAX_SAFE_INTEGER + 1},"data":"${data}"}`,
    ];
    for (const other of others) assert.equal(parseFileChunkLine(Buffer.from(other)), undefined, other.slice(0, 100));
  });

  it('is recognised by a line decoder only when asked (never in plain-text mode)', () => {
    const line = encodeFileChunk('f1', 7, Buffer.alloc(65_000, 1));
    const pieces = [line.subarray(0, 10), line.subarray(10, 65_536), line.subarray(65_536)];
    const json = new LineDecoder(LIMITS.maxLineBytes);
    json.fileChunks = true;
    const plain = new LineDecoder(LIMITS.maxLineBytes);
    const fromJson = pieces.flatMap((piece) => json.push(piece));
    const fromPlain = pieces.flatMap((piece) => plain.push(piece));
    assert.equal(fromJson.length, 1);
    assert.equal(fromJson[0].kind, 'file_chunk');
    assert.equal(fromPlain.length, 1);
    assert.equal(fromPlain[0].kind, 'line');
  });
});
