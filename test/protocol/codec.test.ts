import { strict as assert } from 'node:assert';
import { parseClientFrame, parseServerFrame } from '../../src/protocol/codec';

const KEY = 'A'.repeat(43) + '=';
const SIG = 'A'.repeat(86) + '==';

function code(line: string) {
  const result = parseClientFrame(line);
  return result.ok ? 'ok' : result.code;
}

describe('frame codec', () => {
  it('accepts a valid example of every client frame', () => {
    const examples = [
      { type: 'login', v: 1, name: 'alice', publicKey: KEY, signature: SIG, joinCode: 'x', ackedSeq: 3, client: 'test' },
      { type: 'send', id: 'm-1_A', to: 'bob', text: 'hi' },
      { type: 'send', id: 'm2', to: 'bob', box: { nonce: 'AAAA', ciphertext: 'AAAA' } },
      { type: 'ack', seq: 12 },
      { type: 'history', rid: 'r1', with: '*', before: 10, limit: 50 },
      { type: 'ping', rid: 'p' },
      { type: 'ping' },
      { type: 'bye' },
    ];
    for (const frame of examples) assert.equal(code(JSON.stringify(frame)), 'ok', JSON.stringify(frame));
  });

  it('refuses non-objects and broken JSON with bad_json', () => {
    for (const line of ['[1]', '42', 'null', '"send"', '{"type":"send"', '']) assert.equal(code(line), 'bad_json', line);
  });

  it('refuses an unknown type with unknown_type and a missing type with invalid_frame', () => {
    assert.equal(code('{"type":"teleport"}'), 'unknown_type');
    assert.equal(code('{"type":"__proto__"}'), 'unknown_type');
    assert.equal(code('{"kind":"send"}'), 'invalid_frame');
  });

  it('names the offending field and keeps the id so the error can be matched', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ type: 'send', id: 'x', to: 'bob', text: 5 }, 'text'],
      [{ type: 'send', id: 'x', to: 7, text: 'a' }, 'to'],
      [{ type: 'ack', seq: -1 }, 'seq'],
      [{ type: 'ack', seq: 1.5 }, 'seq'],
      [{ type: 'history', rid: 'r', with: '*', limit: 500 }, 'limit'],
      [{ type: 'login', v: 1, name: 'a', publicKey: 'short', signature: SIG }, 'publicKey'],
    ];
    for (const [frame, field] of cases) {
      const result = parseClientFrame(JSON.stringify(frame));
      assert.equal(result.ok, false);
      if (result.ok) continue;
      assert.equal(result.code, 'invalid_frame');
      assert.match(result.detail, new RegExp(`^${field}`), JSON.stringify(frame));
    }
    const withId = parseClientFrame('{"type":"send","id":"abc","to":"bob","text":1}');
    assert.equal(!withId.ok && withId.id, 'abc');
  });

  it('requires exactly one of text and box', () => {
    assert.equal(code('{"type":"send","id":"x","to":"bob"}'), 'invalid_frame');
    assert.equal(code('{"type":"send","id":"x","to":"bob","text":"a","box":{"nonce":"AAAA","ciphertext":"AAAA"}}'), 'invalid_frame');
  });

  it('measures text in UTF-8 bytes: 16 KiB passes, one byte more is text_too_long', () => {
    const exact = 'é'.repeat(8 * 1024);
    assert.equal(code(JSON.stringify({ type: 'send', id: 'x', to: '*', text: exact })), 'ok');
    assert.equal(code(JSON.stringify({ type: 'send', id: 'x', to: '*', text: exact + 'a' })), 'text_too_long');
  });

  it('refuses client ids with other characters or over 64 characters', () => {
    for (const id of ['', 'has space', 'ünï', 'a'.repeat(65), 'a/b']) {
      assert.equal(code(JSON.stringify({ type: 'send', id, to: '*', text: 'a' })), 'invalid_frame', id);
    }
  });

  it('ignores unknown extra fields, so a client cannot forge from, seq or ts', () => {
    const result = parseClientFrame(JSON.stringify({ type: 'send', id: 'x', to: '*', text: 'a', from: 'mallory', seq: 1, ts: 1 }));
    assert.ok(result.ok);
    if (result.ok) assert.deepEqual(Object.keys(result.frame).sort(), ['id', 'text', 'to', 'type']);
  });

  it('validates server frames too, including error codes', () => {
    assert.ok(parseServerFrame(JSON.stringify({ type: 'sent', id: 'x', seq: 1, ts: 2, duplicate: false })).ok);
    assert.ok(parseServerFrame(JSON.stringify({ type: 'error', code: 'rate_limited', message: 'slow down', fatal: false })).ok);
    const unknownCode = parseServerFrame(JSON.stringify({ type: 'error', code: 'made_up', message: 'x', fatal: false }));
    assert.equal(unknownCode.ok, false);
    const badMsg = parseServerFrame(JSON.stringify({ type: 'msg', seq: 'one', id: 'x', from: 'a', to: '*', ts: 1 }));
    assert.equal(badMsg.ok, false);
  });
});
