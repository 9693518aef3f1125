import { strict as assert } from 'node:assert';
import { isErrorCode } from '../../src/protocol/errors';
import { LIMITS } from '../../src/protocol/limits';
import type { RawClient } from '../helpers/raw-client';
import type { ServerFrame } from '../../src/protocol/frames';
import { sampleProblems, VALID_SAMPLES, wrongTypeCases } from './helpers/frame-corpus';
import { DEVICE_FRAMES_BEFORE_LOGIN } from '../../src/protocol/device-frames';
import { assertMemoryNearBaseline, useHostileServer } from './helpers/hostile-fixture';
import { RssSampler } from './helpers/observed-server';

/** Fewer than the server's burst of 20 errors, so a batch never trips `abuse`. */
const ERRORS_PER_CONNECTION = 15;
const MB = 1024 * 1024;

describe('hostile frames against a server in a child process', function () {
  this.timeout(120000);
  const context = useHostileServer([]);

  /** Sends `line` and returns the next error frame's code (checking it is a defined code). */
  async function errorFor(client: RawClient, line: string | Buffer): Promise<{ code: string; id?: string; rid?: string; fatal: boolean }> {
    context.cases++;
    client.writeRaw(line);
    const error = await client.next('error');
    assert.ok(isErrorCode(error.code), error.code);
    return error;
  }

  it('has a valid sample of every client frame type and field (the corpus follows the protocol)', () => {
    assert.deepEqual(sampleProblems(), []);
  });

  it('answers a wrong type or a missing field in every field of every client frame with invalid_frame, echoing id and rid', async () => {
    const cases = wrongTypeCases();
    assert.ok(cases.length > 200, `${cases.length} cases`);
    for (let start = 0; start < cases.length; start += ERRORS_PER_CONNECTION) {
      const batch = cases.slice(start, start + ERRORS_PER_CONNECTION);
      // Login frames are tried before login, the rest on a logged-in connection.
      const client = batch.some((c) => c.frameType === 'login') ? await context.open() : await context.loginProber();
      for (const hostile of batch) {
        const error = await errorFor(client, JSON.stringify(hostile.frame) + '\n');
        assert.deepEqual([error.code, error.fatal, error.id, error.rid], ['invalid_frame', false, hostile.echoId, hostile.echoRid], hostile.label);
      }
      client.send({ type: 'ping', rid: 'after' });
      assert.equal((await client.next('pong')).rid, 'after');
      client.close();
    }
  });

  it('answers unknown frame types with unknown_type, prototype names included', async () => {
    const types = ['teleport', '', 'LOGIN', 'Send', ' send', 'send ', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'msg', 'welcome', 'x'.repeat(100_000)];
    const client = await context.loginProber();
    for (const type of types) {
      const error = await errorFor(client, JSON.stringify({ type, id: 'u1' }) + '\n');
      assert.equal(error.code, 'unknown_type', JSON.stringify(type.slice(0, 20)));
    }
  });

  it('refuses every frame that needs a login before login with not_logged_in, and answers ping', async () => {
    // Linking and recovery come before login (PROTOCOL.md 22.3, 22.8): they are answered, with
    // what they name (steady_b has no v4 device online, no recovery box; there is no link k1).
    const beforeLoginCodes: Record<string, string> = { link_request: 'no_device_online', link_reveal: 'unknown_link', link_cancel: 'unknown_link', recovery_get: 'no_recovery' };
    assert.deepEqual(Object.keys(beforeLoginCodes).sort(), [...DEVICE_FRAMES_BEFORE_LOGIN].sort());
    const cases = Object.entries(VALID_SAMPLES)
      .filter(([type]) => !['login', 'ping', 'bye'].includes(type))
      .flatMap(([type, samples]) => samples.map((sample) => ({ type, sample, code: beforeLoginCodes[type] ?? 'not_logged_in' })));
    assert.ok(cases.filter((c) => c.code === 'not_logged_in').length >= 9);
    let client = await context.open();
    // A fresh connection for each batch, so the refusals never add up to `abuse`.
    for (let start = 0; start < cases.length; start += ERRORS_PER_CONNECTION) {
      if (start > 0) {
        client.close();
        client = await context.open();
      }
      for (const { type, sample, code } of cases.slice(start, start + ERRORS_PER_CONNECTION)) {
        const error = await errorFor(client, JSON.stringify(sample) + '\n');
        assert.equal(error.code, code, type);
      }
    }
    client.send({ type: 'ping', rid: 'pre' });
    assert.equal((await client.next('pong')).rid, 'pre');
    // One burst too many: the connection is closed as abusive, with a final error.
    for (let i = 0; i < 30; i++) client.send(VALID_SAMPLES.send[0]);
    await client.waitClosed();
    assert.equal(client.all('error').pop()?.code, 'abuse');
  });

  it('answers well-formed frames that name nothing (unknown files, seq beyond the head) with a defined code or their normal reply', async () => {
    const client = await context.loginProber();
    client.frames.length = 0;
    // What each valid sample gets from a logged-in connection; acks get no reply.
    const expected: Record<string, string | string[] | undefined> = {
      login: 'error already_logged_in',
      ack: undefined,
      history: 'history_page',
      file_chunk: 'error unknown_file',
      file_ack: undefined, // a late ack for a download that ended is ignored
      file_get: 'error unknown_file',
      file_done: 'error unknown_file',
      file_cancel: 'error unknown_file',
      file_status: 'error unknown_file',
      ping: 'pong',
      // The prober creates a room (its event, then the reply), is a member already, leaves it,
      // and then no longer sees it.
      room_create: ['msg', 'room'],
      room_join: 'room',
      room_leave: ['msg', 'room'],
      room_add: 'error unknown_room',
      room_remove: 'error unknown_room',
      room_list: 'room_list',
      room_members: 'error unknown_room',
      moderate: 'error forbidden', // the prober is a student
      // The prober blocks steady_b, unblocks them, and lists nobody.
      block: 'blocked',
      unblock: 'blocked',
      block_list: 'blocked',
      // v4 (PROTOCOL.md 22.11) from a v3 session: it has no device, and there is no such link.
      link_request: 'error already_logged_in',
      link_nonce: 'error unknown_link',
      link_reveal: 'error unknown_link',
      link_approve: 'error unknown_link',
      link_cancel: 'error unknown_link',
      device_list_set: 'error invalid_frame',
      device_leave: 'error invalid_frame',
      recovery_set: 'error forbidden',
      recovery_get: 'error no_recovery',
    };
    for (const [type, samples] of Object.entries(VALID_SAMPLES)) {
      if (type === 'bye' || type === 'send') continue;
      context.cases++;
      client.send({ ...samples[0], ...(type === 'ack' ? { seq: Number.MAX_SAFE_INTEGER } : {}) });
      // A ping after each frame: its pong proves everything before it was handled. Presence
      // (classmates of earlier tests going offline, batched) is not a reply.
      client.send({ type: 'ping', rid: `after_${type}` });
      await client.next('pong', (pong) => pong.rid === `after_${type}`);
      const replies = client.frames.splice(0).filter((frame) => frame.type !== 'presence').map((frame) => (frame.type === 'error' ? `error ${frame.code}` : frame.type));
      const wanted = expected[type];
      assert.deepEqual(replies, wanted === undefined ? [] : Array.isArray(wanted) ? wanted : [wanted], type);
    }
    // Per-device key boxes (PROTOCOL.md 22.6) are refused until v4 is served: stored, they would reach no device.
    context.cases++;
    const withKeys = VALID_SAMPLES.send.find((sample) => 'keys' in sample)!;
    client.send(withKeys);
    const refused = await client.next('error');
    assert.deepEqual([refused.code, refused.id, refused.message.includes('keys need protocol v4')], ['invalid_frame', withKeys.id, true]);
    context.cases++;
    client.send(VALID_SAMPLES.bye[0]);
    await client.waitClosed();
  });

  it('answers truncated lines with bad_json and survives a socket cut mid-frame', async () => {
    const frame = JSON.stringify(VALID_SAMPLES.send[0]);
    const client = await context.loginProber();
    for (const cut of [1, 5, Math.floor(frame.length / 2), frame.length - 1]) {
      assert.equal((await errorFor(client, frame.slice(0, cut) + '\n')).code, 'bad_json', `cut at ${cut}`);
    }
    // A multi-byte character cut in half.
    const euro = Buffer.from('{"type":"send","id":"e","to":"*","text":"€"}\n');
    assert.equal((await errorFor(client, Buffer.concat([euro.subarray(0, 42), Buffer.from('\n')]))).code, 'bad_utf8');
    for (const cut of [1, 10, frame.length - 1]) {
      context.cases++;
      const dropped = await context.loginProber();
      dropped.writeRaw(frame.slice(0, cut));
      dropped.close();
    }
    client.send({ type: 'ping', rid: 'alive' });
    assert.equal((await client.next('pong')).rid, 'alive');
  });

  it('answers over-long lines with one line_too_long, with or without a newline, and keeps its memory bounded', async () => {
    const client = await context.loginProber();
    const sampler = new RssSampler(context.server);
    try {
    const justTooLong = '{"type":"send","id":"big","to":"*","text":"' + 'a'.repeat(LIMITS.maxLineBytes) + '"}\n';
    assert.equal((await errorFor(client, justTooLong)).code, 'line_too_long');
    const atLimit = '{"type":"ping","rid":"edge","pad":"' + 'b'.repeat(LIMITS.maxLineBytes - 37) + '"}';
    assert.equal(Buffer.byteLength(atLimit), LIMITS.maxLineBytes);
    client.writeRaw(atLimit + '\n');
    assert.equal((await client.next('pong')).rid, 'edge');
    // 32 MiB without any newline: one error, the rest discarded as it arrives.
    context.cases++;
    const chunk = Buffer.alloc(MB, 0x61);
    for (let i = 0; i < 32; i++) {
      if (!client.socket.write(chunk)) await new Promise((resolve) => client.socket.once('drain', resolve));
    }
    client.writeRaw('\n{"type":"ping","rid":"after"}\n');
    assert.equal((await client.next('pong', () => true, 20000)).rid, 'after');
    assert.deepEqual(client.all('error').map((e) => e.code), ['line_too_long']);
    } finally {
      const peak = sampler.stop();
      assert.ok(peak < context.baseline.rss + 48 * MB, `RSS peaked at ${peak} while discarding`);
    }
  });

  it('answers deep and huge JSON with a defined code, or ignores the unknown fields', async () => {
    const client = await context.loginProber();
    const room = LIMITS.maxLineBytes - 100;
    const depth = Math.floor(room / 2);
    const deepArray = '['.repeat(depth) + ']'.repeat(depth);
    const objectDepth = Math.floor(room / 8);
    const deepObject = '{"a":'.repeat(objectDepth) + '1' + '}'.repeat(objectDepth);
    const manyKeys = Array.from({ length: 9000 }, (_, i) => `"k${i}":${i}`).join(',');
    const longArray = '[' + Array.from({ length: 30000 }, () => '0').join(',') + ']';
    const expectations: Array<[string, string]> = [
      [`{"type":"ping","rid":"deep1","x":${deepArray}}`, 'pong'],
      [`{"type":"ping","rid":"deep2","x":${deepObject}}`, 'pong'],
      [`{"type":${deepArray}}`, 'invalid_frame'],
      [`{"type":"send","id":"deep3","to":"*","box":{"nonce":${deepArray},"ciphertext":"AA=="}}`, 'invalid_frame'],
      [`{"type":"send","id":"deep4","to":"*","text":${deepObject}}`, 'invalid_frame'],
      [`{"type":"ack","seq":${deepArray}}`, 'invalid_frame'],
      [deepArray, 'bad_json'],
      [`{"type":"ping","rid":"huge1",${manyKeys}}`, 'pong'],
      [`{"type":"ping","rid":"huge2","x":${longArray}}`, 'pong'],
      [`{"type":"send","id":"huge3","to":"*","text":"${'\\u0000'.repeat(Math.floor(room / 6))}"}`, 'text_too_long'],
      [`{"type":"ping","rid":"dup","rid":"dup2"}`, 'pong'],
      [`{"type":"send","id":"proto","to":"*","text":"x","__proto__":{"box":{"nonce":"AA==","ciphertext":"AA=="}}}`, 'sent'],
      [`{"type":"ack","seq":1e400}`, 'invalid_frame'],
      [`{"type":"ack","seq":9007199254740993}`, 'invalid_frame'],
      [`{"type":"history","rid":"h","with":"*","limit":1e-300}`, 'invalid_frame'],
    ];
    client.frames.length = 0;
    for (const [line, expected] of expectations) {
      context.cases++;
      assert.ok(Buffer.byteLength(line) <= LIMITS.maxLineBytes, `${line.slice(0, 40)} is ${line.length} bytes`);
      client.writeRaw(line + '\n');
      // Frames the server sends unasked (the login's synced, presence, mail) are not replies.
      const reply = await client.waitFor(() => nextReply(client), `a reply to ${line.slice(0, 60)}`, 10000);
      const got = reply.type === 'error' ? reply.code : reply.type;
      assert.equal(got, expected, line.slice(0, 80));
    }
  });

  it('answers invalid UTF-8 with bad_utf8 and raw NUL bytes with bad_json', async () => {
    const client = await context.loginProber();
    const invalid = [[0xff], [0xfe, 0xff], [0x80], [0xc0, 0x80], [0xc1, 0xbf], [0xe0, 0x80, 0x80], [0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf], [0xf4, 0x90, 0x80, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82]];
    for (const bytes of invalid) {
      const line = Buffer.concat([Buffer.from('{"type":"send","id":"u8","to":"*","text":"a'), Buffer.from(bytes), Buffer.from('b"}\n')]);
      assert.equal((await errorFor(client, line)).code, 'bad_utf8', Buffer.from(bytes).toString('hex'));
    }
    for (const line of ['{"type":"ping"\u0000}\n', '{"type":"send","id":"n","to":"*","text":"a\u0000b"}\n', '{"type":"pi\u0000ng"}\n', '\u0000\n']) {
      assert.equal((await errorFor(client, line)).code, 'bad_json', JSON.stringify(line));
    }
    const escaped = await errorFor(client, '{"type":"send","id":"nul","to":"bob\\u0000","text":"x"}\n');
    assert.deepEqual([escaped.code, escaped.id], ['unknown_user', 'nul']);
    // A connection whose first byte is not "{" speaks plain text: binary noise gets plain notices.
    context.cases++;
    const noise = await context.open();
    noise.writeRaw(Buffer.from([0x00, 0xff, 0xfe, 0x0a, 0x00, 0x0a, 0xc0, 0x80, 0x0a]));
    await noise.waitFor(() => (noise.invalid.some((line) => line.startsWith('[server]')) || noise.closed ? true : undefined), 'a plain-text notice', 5000);
  });

  it('ends a connection with a malformed binary chunk (bad_binary_frame, fatal), and survives bodies cut short', async () => {
    const malformed = [
      '{"type":"file_bytes","file":"f1","index":0,"length":99999999}\n',
      '{"type":"file_bytes","file":"f1","index":-1,"length":3}\n',
      '{"type":"file_bytes","file":"../f","index":0,"length":3}\n',
      '{"type":"file_bytes","file":"f1","index":0,"length":3}\nabcX',
      '{"type":"file_bytes"}\n',
      '{ "type": "file_bytes", "file": "f1", "index": 0, "length": 3 }\nabc\n',
    ];
    for (const frame of malformed) {
      const client = await context.loginProber();
      const error = await errorFor(client, frame);
      assert.deepEqual([error.code, error.fatal], ['bad_binary_frame', true], JSON.stringify(frame));
      await client.waitClosed();
    }
    for (const cut of [0, 1, 1000, LIMITS.maxFileChunkBytes - 1]) {
      context.cases++;
      const dropped = await context.loginProber();
      dropped.writeRaw(Buffer.concat([Buffer.from(`{"type":"file_bytes","file":"f1","index":0,"length":${LIMITS.maxFileChunkBytes}}\n`), Buffer.alloc(cut, 0x0a)]));
      dropped.close();
    }
    const client = await context.loginProber();
    client.send({ type: 'ping', rid: 'alive' });
    assert.equal((await client.next('pong')).rid, 'alive');
  });

  it('returns near its memory baseline after all the cases', async () => {
    await assertMemoryNearBaseline(context, { rss: 32 * MB, heapUsed: 4 * MB, external: 4 * MB });
  });
});

const UNASKED = new Set(['synced', 'presence', 'msg']);

function nextReply(client: RawClient): ServerFrame | undefined {
  let frame = client.frames.shift();
  while (frame && UNASKED.has(frame.type)) frame = client.frames.shift();
  return frame;
}
