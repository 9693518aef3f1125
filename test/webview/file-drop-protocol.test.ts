/** The host's check of a file pasted or dropped onto the composer (webview/file-drop-protocol.ts). */
import { strict as assert } from 'node:assert';
import { base64Length, checkDroppedFile, FILES_TO_CLASSMATES, MAX_DROPPED_FILE_BYTES } from '../../webview/file-drop-protocol';

const good = { type: 'sendDroppedFile', conversation: 'bob', name: 'notes.txt', size: 5, data: Buffer.from('hello').toString('base64') };

function problem(value: unknown): string {
  const check = checkDroppedFile(value);
  assert.equal(check.ok, false, JSON.stringify(value).slice(0, 200));
  return check.ok ? '' : check.problem;
}

describe('pasted and dropped files: the host checks what the webview posts', () => {
  it('accepts a file for a classmate whose bytes match its size, keeping only the known fields', () => {
    assert.deepEqual(checkDroppedFile({ ...good, extra: 'ignored' }), { ok: true, message: good });
    assert.deepEqual(checkDroppedFile({ ...good, name: '', size: 0, data: '' }), { ok: true, message: { ...good, name: '', size: 0, data: '' } });
  });

  it('refuses files for Everyone and rooms: files go to one classmate', () => {
    assert.equal(problem({ ...good, conversation: '*' }), FILES_TO_CLASSMATES);
    assert.equal(problem({ ...good, conversation: '#study' }), FILES_TO_CLASSMATES);
    assert.equal(problem({ ...good, conversation: '../bob' }), FILES_TO_CLASSMATES);
    assert.match(problem({ ...good, conversation: 7 }), /no conversation/);
  });

  it('refuses a bad name: not text, or longer than any file system allows', () => {
    assert.match(problem({ ...good, name: undefined }), /name is missing or too long/);
    assert.match(problem({ ...good, name: { toString: 'x' } }), /name is missing or too long/);
    assert.match(problem({ ...good, name: 'a'.repeat(2000) }), /name is missing or too long/);
  });

  it('refuses a bad size, and a file over 25 MB with a clear notice', () => {
    for (const size of [-1, 1.5, '5', Number.NaN, Number.MAX_SAFE_INTEGER + 2]) assert.match(problem({ ...good, size }), /size is not valid/);
    assert.match(problem({ ...good, size: MAX_DROPPED_FILE_BYTES + 1 }), /at most 25 MB/);
    assert.match(problem({ ...good, name: 'movie.mp4', size: 30 * 1024 * 1024 }), /^"movie\.mp4" is 30 MB: pasted and dropped files can be at most 25 MB\. Use Send File to Classmate… for larger files\.$/);
  });

  it('refuses bytes that are not base64, too many, or do not match the size', () => {
    assert.match(problem({ ...good, data: 'not base64!' }), /not base64/);
    assert.match(problem({ ...good, data: 'aGVsbG8' }), /not base64/);
    assert.match(problem({ ...good, data: 42 }), /bytes are missing/);
    assert.match(problem({ ...good, data: 'A'.repeat(Math.ceil(MAX_DROPPED_FILE_BYTES / 3) * 4 + 4) }), /bytes are missing or too many/);
    assert.match(problem({ ...good, size: 4 }), /file bytes \(5\) do not match its size \(4\)/);
  });

  it('counts the bytes of padded base64 as Buffer does', () => {
    for (const text of ['', 'a', 'ab', 'abc', 'abcd', 'hello world']) assert.equal(base64Length(Buffer.from(text).toString('base64')), text.length);
  });
});
