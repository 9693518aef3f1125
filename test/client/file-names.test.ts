/** Received file names: made safe for any folder, and never overwriting. */
import { strict as assert } from 'node:assert';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { numberedName, placeWithoutOverwrite, sanitizeFileName } from '../../src/client/file-names';

describe('received file names', () => {
  it('keeps ordinary names as they are', () => {
    for (const name of ['report.pdf', 'Übung 3 – Lösung.py', 'photo (2).jpg', '数据.csv', 'a.b.c.tar.gz']) assert.equal(sanitizeFileName(name), name);
  });

  it('removes paths, traversal, control and bidi characters, and reserved device names', () => {
    const cases: Array<[string, string]> = [
      ['../../.bashrc', 'bashrc'],
      ['/etc/passwd', 'passwd'],
      ['C:\\Windows\\system32\\evil.dll', 'evil.dll'],
      ['..', 'received-file'],
      ['', 'received-file'],
      ['   ', 'received-file'],
      ['CON', '_CON'],
      ['nul.txt', '_nul.txt'],
      ['COM1', '_COM1'],
      ['lpt9.log', '_lpt9.log'],
      ['console.log', 'console.log'],
      ['line\nbreak.txt', 'linebreak.txt'],
      ['bell\u0007.txt', 'bell.txt'],
      ['invoice\u202efdp.exe', 'invoicefdp.exe'],
      ['what?<>:"|*.txt', 'what_______.txt'],
      ['trailing dots...', 'trailing dots'],
      ['CON .txt', '_CON .txt'],
      ['con  ..txt', '_con  ..txt'],
      ['nul.tar.gz', '_nul.tar.gz'],
      ['COM1 ', '_COM1'],
      ['LPT1 .log', '_LPT1 .log'],
      ['C\u200bON.txt', '_CON.txt'],
      ['CON foo.txt', 'CON foo.txt'],
    ];
    for (const [raw, expected] of cases) assert.equal(sanitizeFileName(raw), expected, JSON.stringify(raw));
  });

  it('removes zero-width and other invisible format characters', () => {
    const invisible = [
      ...['\u200b', '\u200c', '\u200d', '\u200e', '\u200f'],
      ...['\u2060', '\u2061', '\u2062', '\u2063', '\u2064'],
      '\ufeff',
      ...['\u202a', '\u202b', '\u202c', '\u202d', '\u202e'],
      ...['\u2066', '\u2067', '\u2068', '\u2069'],
      ...['\u00ad', '\u2028', '\u2029'],
    ];
    for (const character of invisible) {
      assert.equal(sanitizeFileName(`re${character}port.pdf`), 'report.pdf', `U+${character.codePointAt(0)!.toString(16)}`);
    }
    assert.equal(sanitizeFileName('\ufeff\u200b.bashrc'), 'bashrc', 'no hidden file behind invisible characters');
  });

  it('bounds long names to 200 bytes, keeping the extension and whole characters', () => {
    assert.equal(sanitizeFileName('x'.repeat(300) + '.txt'), 'x'.repeat(196) + '.txt');
    const emoji = sanitizeFileName('😀'.repeat(100) + '.md');
    assert.ok(Buffer.byteLength(emoji) <= 200 && emoji.endsWith('.md') && !emoji.includes('\ufffd'));
  });

  it('property: any name becomes one safe, non-empty path component', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 400 }), fc.string({ unit: fc.constantFrom('c', 'o', 'n', 'C', 'O', 'N', ' ', '.', 't', 'x', '\u200b', '\u202e', '\ufeff'), maxLength: 12 })), (raw) => {
        const name = sanitizeFileName(raw);
        assert.ok(name.length > 0);
        assert.ok(Buffer.byteLength(name, 'utf8') <= 200);
        assert.ok(!/[/\\\u0000-\u001f<>:"|?*]/.test(name), JSON.stringify(name));
        assert.ok(name !== '.' && name !== '..' && !name.startsWith('.'));
        assert.ok(!/^(con|prn|aux|nul|com\d|lpt\d) *(\..*)?$/i.test(name));
        assert.ok(!/[\p{Cf}\u2028\u2029]/u.test(name), JSON.stringify(name));
      }),
      { numRuns: 300 },
    );
  });

  it('numbers names before the extension', () => {
    assert.equal(numberedName('report.pdf', 0), 'report.pdf');
    assert.equal(numberedName('report.pdf', 2), 'report (2).pdf');
    assert.equal(numberedName('Makefile', 1), 'Makefile (1)');
  });

  it('places a finished file without overwriting existing ones', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'classchat-names-'));
    try {
      await writeFile(join(dir, 'a.txt'), 'old');
      await writeFile(join(dir, 'a (1).txt'), 'old 1');
      await writeFile(join(dir, '.tmp1'), 'new');
      assert.equal(await placeWithoutOverwrite(join(dir, '.tmp1'), dir, 'a.txt'), join(dir, 'a (2).txt'));
      assert.equal(await readFile(join(dir, 'a.txt'), 'utf8'), 'old');
      assert.equal(await readFile(join(dir, 'a (2).txt'), 'utf8'), 'new');
      assert.deepEqual((await readdir(dir)).sort(), ['a (1).txt', 'a (2).txt', 'a.txt']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
