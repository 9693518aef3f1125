/** Images told by their bytes, never their names; pasted files' names (issue 17). */
import { strict as assert } from 'node:assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pastedFileName } from '../../src/client/file-names';
import { imageTypeOf, MAX_PREVIEW_BYTES, previewOfBytes, previewOfFile } from '../../src/client/image-types';
import { tinyPng } from '../helpers/tiny-png';

const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46]);
const GIF = Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1');
const WEBP = Buffer.concat([Buffer.from('RIFF'), Buffer.from([26, 0, 0, 0]), Buffer.from('WEBPVP8L'), Buffer.alloc(14)]);

describe('image types by magic bytes', () => {
  it('knows PNG, JPEG, GIF and WebP by their first bytes', () => {
    assert.equal(imageTypeOf(tinyPng()), 'image/png');
    assert.equal(imageTypeOf(JPEG), 'image/jpeg');
    assert.equal(imageTypeOf(GIF), 'image/gif');
    assert.equal(imageTypeOf(Buffer.from('GIF87a......', 'latin1')), 'image/gif');
    assert.equal(imageTypeOf(WEBP), 'image/webp');
  });

  it('knows no image in text, markup, an SVG, a truncated signature, or a RIFF that is not WebP', () => {
    for (const bytes of [
      Buffer.from('hello, this is not a PNG'),
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
      Buffer.from('<html><script>alert(1)</script></html>'),
      tinyPng().subarray(0, 8),
      Buffer.concat([tinyPng().subarray(0, 12), Buffer.from('XXXX')]),
      Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WAVE')]),
      Buffer.from([0xff, 0xd8]),
      Buffer.alloc(0),
    ]) {
      assert.equal(imageTypeOf(bytes), undefined, bytes.toString('latin1'));
    }
  });

  it('makes a data: URL of an image within 5 MiB, and none of a larger one or of anything else', () => {
    const png = tinyPng();
    assert.equal(previewOfBytes(png), `data:image/png;base64,${png.toString('base64')}`);
    assert.equal(previewOfBytes(Buffer.from('not an image')), undefined);
    const big = Buffer.concat([png, Buffer.alloc(MAX_PREVIEW_BYTES + 1 - png.length)]);
    assert.equal(previewOfBytes(big), undefined);
    assert.ok(previewOfBytes(big.subarray(0, MAX_PREVIEW_BYTES))?.startsWith('data:image/png;base64,'));
  });

  it('reads a preview from a file by its bytes: a text file named .png gets none, nor a folder or a missing file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'classchat-image-'));
    try {
      await writeFile(join(dir, 'real.dat'), tinyPng());
      await writeFile(join(dir, 'fake.png'), '<script>alert(1)</script>');
      assert.equal(await previewOfFile(join(dir, 'real.dat')), `data:image/png;base64,${tinyPng().toString('base64')}`);
      assert.equal(await previewOfFile(join(dir, 'fake.png')), undefined);
      assert.equal(await previewOfFile(dir), undefined);
      assert.equal(await previewOfFile(join(dir, 'missing.png')), undefined);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('names of pasted and dropped files', () => {
  const at = new Date(2026, 11, 8, 2, 5, 9);

  it('names a pasted image without a name by the time and its type from its bytes', () => {
    assert.equal(pastedFileName('', tinyPng(), at), 'pasted-image-20261208-020509.png');
    assert.equal(pastedFileName('  ', JPEG, at), 'pasted-image-20261208-020509.jpg');
    assert.equal(pastedFileName('', Buffer.from('plain text'), at), 'pasted-file-20261208-020509');
  });

  it('keeps a dropped file its name, made safe like a received one: no path, no device names, no invisible characters', () => {
    assert.equal(pastedFileName('report.pdf', Buffer.from('%PDF'), at), 'report.pdf');
    assert.equal(pastedFileName('../../etc/passwd', Buffer.from('x'), at), 'passwd');
    assert.equal(pastedFileName('C:\\Users\\bob\\notes.txt', Buffer.from('x'), at), 'notes.txt');
    assert.equal(pastedFileName('CON.txt', Buffer.from('x'), at), '_CON.txt');
    assert.equal(pastedFileName('\u202Efdp.exe', Buffer.from('x'), at), 'fdp.exe');
  });
});
