import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { encodeFrame, parseClientFrame, parseServerFrame } from '../../src/protocol/codec';
import { ERROR_CODES } from '../../src/protocol/errors';
import { CLIENT_FRAME_SCHEMAS, SERVER_FRAME_SCHEMAS } from '../../src/protocol/frames';
import { LIMITS } from '../../src/protocol/limits';
import { DEVICE_CLIENT_EXAMPLES, DEVICE_LIST, DEVICE_SERVER_EXAMPLES, KEY_BOX } from './device-examples';

/** Base64 of 32 and 64 zero bytes: the right lengths for a public key and a signature. */
const KEY = Buffer.alloc(32).toString('base64');
const SIG = Buffer.alloc(64).toString('base64');
const BOX = { nonce: Buffer.alloc(24, 1).toString('base64'), ciphertext: Buffer.alloc(48, 2).toString('base64') };

function code(line: string): string {
  const result = parseClientFrame(line);
  return result.ok ? 'ok' : result.code;
}

const clientCode = (frame: unknown) => code(JSON.stringify(frame));

function serverCode(frame: unknown): string {
  const result = parseServerFrame(JSON.stringify(frame));
  return result.ok ? 'ok' : result.code;
}

/** One example of every client frame type with every optional field set. */
const CLIENT_EXAMPLES: Record<string, Record<string, unknown>> = {
  login: { type: 'login', v: 1, name: 'Alice', publicKey: KEY, signature: SIG, joinCode: 'class-7b', ackedSeq: 3, client: 'classchat-py/0.1', features: ['binary-chunks'], device: 'lap', deviceList: DEVICE_LIST },
  send: { type: 'send', id: 'm-1_A', to: 'bob', text: 'hi' },
  ack: { type: 'ack', seq: 12 },
  history: { type: 'history', rid: 'r1', with: '*', before: 10, limit: 50 },
  ping: { type: 'ping', rid: 'p' },
  bye: { type: 'bye' },
  file_chunk: { type: 'file_chunk', file: 'f_1', index: 0, data: Buffer.alloc(100, 3).toString('base64') },
  file_ack: { type: 'file_ack', file: 'f_1', index: 3 },
  file_get: { type: 'file_get', file: 'f_1', from: 0 },
  file_done: { type: 'file_done', file: 'f_1' },
  file_cancel: { type: 'file_cancel', file: 'f_1', reason: 'declined' },
  file_status: { type: 'file_status', rid: 'r2', file: 'f_1' },
  room_create: { type: 'room_create', rid: 'r3', room: '#lab-3', kind: 'group', encrypted: true, readOnly: false, members: ['bob'] },
  room_join: { type: 'room_join', rid: 'r4', room: 'section-a' },
  room_leave: { type: 'room_leave', rid: 'r5', room: 'section-a' },
  room_add: { type: 'room_add', rid: 'r6', room: 'lab-3', members: ['carol'] },
  room_remove: { type: 'room_remove', rid: 'r7', room: 'lab-3', name: 'carol' },
  room_list: { type: 'room_list', rid: 'r8' },
  room_members: { type: 'room_members', rid: 'r9', room: 'lab-3' },
  moderate: { type: 'moderate', rid: 'm1', action: 'mute', name: 'carol', minutes: 10 },
  block: { type: 'block', rid: 'b1', name: 'Dave' },
  unblock: { type: 'unblock', rid: 'b2', name: 'dave' },
  block_list: { type: 'block_list', rid: 'b3' },
  ...DEVICE_CLIENT_EXAMPLES,
};

/** A file offer: a send frame with sizes, its name and key inside the box. */
const FILE_OFFER = { type: 'send', id: 'm-f', to: 'bob', box: BOX, file: { size: 1000, chunkBytes: 65553 } };

/** A value of the wrong JSON type for a field holding `value`. */
function wrongType(value: unknown): unknown {
  if (typeof value === 'string') return 42;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return 'true';
  if (Array.isArray(value)) return {};
  if (typeof value === 'object' && value !== null) return 'x';
  return null;
}

function expectInvalid(frame: unknown, field: string): void {
  const result = parseClientFrame(JSON.stringify(frame));
  assert.equal(result.ok, false, `${JSON.stringify(frame)} should be refused`);
  if (result.ok) return;
  assert.equal(result.code, 'invalid_frame', JSON.stringify(frame));
  assert.ok(result.detail.startsWith(`${field}:`), `detail "${result.detail}" should name ${field}`);
}

describe('frame codec', () => {
  describe('client frames', () => {
    it('has an example here for every client frame type', () => {
      assert.deepEqual(Object.keys(CLIENT_EXAMPLES).sort(), Object.keys(CLIENT_FRAME_SCHEMAS).sort());
    });

    it('accepts a file offer, and refuses one without a box, with a bad size or to a chunk too large', () => {
      assert.equal(clientCode(FILE_OFFER), 'ok');
      const { box: _box, ...noBox } = FILE_OFFER;
      assert.equal(clientCode({ ...noBox, text: 'hi' }), 'invalid_frame');
      for (const file of [{ size: 0, chunkBytes: 10 }, { size: -1, chunkBytes: 10 }, { size: 1.5, chunkBytes: 10 }, { size: 10, chunkBytes: LIMITS.maxFileChunkBytes + 1 }, { size: 10 }, { size: 10, chunkBytes: 10, extra: 1 }]) {
        assert.equal(clientCode({ ...FILE_OFFER, file }), 'invalid_frame', JSON.stringify(file));
      }
      assert.equal(clientCode({ ...CLIENT_EXAMPLES.file_chunk, data: 'not base64!' }), 'invalid_frame');
      assert.equal(clientCode({ ...CLIENT_EXAMPLES.file_chunk, data: 'A'.repeat(Math.ceil(LIMITS.maxFileChunkBytes / 3) * 4 + 4) }), 'invalid_frame');
      assert.equal(clientCode({ ...CLIENT_EXAMPLES.file_cancel, reason: 'delivered' }), 'invalid_frame');
      assert.equal(clientCode({ ...CLIENT_EXAMPLES.file_get, file: '../x' }), 'invalid_frame');
    });

    it('accepts a valid example of every client frame, with and without its optional fields', () => {
      const minimal = [
        { type: 'login', v: 1, name: 'a', publicKey: KEY, signature: SIG },
        { type: 'send', id: 'm2', to: 'bob', box: BOX },
        { type: 'send', id: 'x'.repeat(64), to: '*', text: '' },
        { type: 'history', rid: 'r', with: 'bob' },
        { type: 'ping' },
      ];
      for (const frame of [...Object.values(CLIENT_EXAMPLES), ...minimal]) assert.equal(clientCode(frame), 'ok', JSON.stringify(frame));
    });

    it('returns the parsed frame with the values sent', () => {
      const result = parseClientFrame(JSON.stringify(CLIENT_EXAMPLES.history));
      assert.ok(result.ok);
      assert.deepEqual(result.frame, CLIENT_EXAMPLES.history);
    });

    it('refuses a wrong JSON type in every field of every client frame with invalid_frame naming the field', () => {
      for (const example of [...Object.values(CLIENT_EXAMPLES), { type: 'send', id: 'm2', to: 'bob', box: BOX }]) {
        for (const [field, value] of Object.entries(example)) {
          if (field === 'type') continue;
          expectInvalid({ ...example, [field]: wrongType(value) }, field);
        }
      }
      expectInvalid({ type: 'send', id: 'm', to: 'bob', box: { ...BOX, nonce: 5 } }, 'box.nonce');
      expectInvalid({ type: 'send', id: 'm', to: 'bob', box: { ...BOX, ciphertext: null } }, 'box.ciphertext');
    });

    it('refuses a missing required field with invalid_frame naming the field', () => {
      const required: Record<string, string[]> = { login: ['v', 'name', 'publicKey', 'signature'], send: ['id', 'to'], ack: ['seq'], history: ['rid', 'with'] };
      for (const [type, fields] of Object.entries(required)) {
        for (const field of fields) {
          const frame = { ...CLIENT_EXAMPLES[type] };
          delete frame[field];
          expectInvalid(frame, field);
        }
      }
    });

    it('refuses out-of-range values with invalid_frame naming the field', () => {
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ type: 'ack', seq: -1 }, 'seq'],
        [{ type: 'ack', seq: 1.5 }, 'seq'],
        [{ type: 'ack', seq: Number.MAX_SAFE_INTEGER + 2 }, 'seq'],
        [{ ...CLIENT_EXAMPLES.history, limit: 0 }, 'limit'],
        [{ ...CLIENT_EXAMPLES.history, limit: LIMITS.maxHistoryPage + 1 }, 'limit'],
        [{ ...CLIENT_EXAMPLES.history, before: -5 }, 'before'],
        [{ ...CLIENT_EXAMPLES.login, v: 1.5 }, 'v'],
        [{ ...CLIENT_EXAMPLES.login, name: '' }, 'name'],
        [{ ...CLIENT_EXAMPLES.login, name: 'a'.repeat(65) }, 'name'],
        [{ ...CLIENT_EXAMPLES.login, publicKey: 'short' }, 'publicKey'],
        [{ ...CLIENT_EXAMPLES.login, publicKey: KEY.replace('A', '!') }, 'publicKey'],
        [{ ...CLIENT_EXAMPLES.login, signature: KEY }, 'signature'],
        [{ ...CLIENT_EXAMPLES.login, joinCode: 'x'.repeat(257) }, 'joinCode'],
        [{ ...CLIENT_EXAMPLES.login, ackedSeq: -1 }, 'ackedSeq'],
        [{ ...CLIENT_EXAMPLES.login, client: 'x'.repeat(65) }, 'client'],
        [{ ...CLIENT_EXAMPLES.send, to: '' }, 'to'],
        [{ ...CLIENT_EXAMPLES.send, to: 'b'.repeat(65) }, 'to'],
        [{ type: 'send', id: 'm', to: 'bob', box: { ...BOX, ciphertext: 'A'.repeat(LIMITS.maxBoxBase64 + 4) } }, 'box.ciphertext'],
        [{ type: 'send', id: 'm', to: 'bob', box: { ...BOX, nonce: 'not base64!' } }, 'box.nonce'],
        [{ type: 'send', id: 'm', to: 'bob', box: { ...BOX, extra: 1 } }, 'box'],
      ];
      for (const [frame, field] of cases) expectInvalid(frame, field);
    });

    it('refuses a publicKey or signature whose base64 is not exactly 32 or 64 bytes', () => {
      // The right number of characters, but 33 and 31 bytes (and 65 and 63): the schema promises exact sizes.
      expectInvalid({ ...CLIENT_EXAMPLES.login, publicKey: 'A'.repeat(44) }, 'publicKey');
      expectInvalid({ ...CLIENT_EXAMPLES.login, publicKey: 'A'.repeat(42) + '==' }, 'publicKey');
      expectInvalid({ ...CLIENT_EXAMPLES.login, signature: 'A'.repeat(88) }, 'signature');
      expectInvalid({ ...CLIENT_EXAMPLES.login, signature: 'A'.repeat(87) + '=' }, 'signature');
    });

    it('refuses non-objects with bad_json', () => {
      for (const line of ['[1]', '[]', '42', 'null', 'true', '"send"']) assert.equal(code(line), 'bad_json', line);
    });

    it('refuses broken JSON with bad_json', () => {
      for (const line of ['{"type":"send"', '', ' ', '{type:"ping"}', "{'type':'ping'}", '{"type":"ping"}{"type":"ping"}', 'alice']) {
        assert.equal(code(line), 'bad_json', JSON.stringify(line));
      }
    });

    it('tolerates the carriage return of a CRLF line end and surrounding spaces', () => {
      assert.equal(code('{"type":"ping"}\r'), 'ok');
      assert.equal(code('  {"type":"ping"}  '), 'ok');
    });

    it('refuses an unknown type with unknown_type, also for names inherited by every object', () => {
      for (const type of ['teleport', 'PING', '', '__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
        assert.equal(clientCode({ type }), 'unknown_type', type);
      }
    });

    it('refuses a missing or non-string type with invalid_frame', () => {
      for (const frame of [{ kind: 'send' }, { type: 5 }, { type: null }, { type: ['ping'] }]) assert.equal(clientCode(frame), 'invalid_frame', JSON.stringify(frame));
    });

    it('refuses a server frame type sent by a client with unknown_type', () => {
      assert.equal(clientCode({ type: 'msg', seq: 1, id: 'x', from: 'a', to: '*', ts: 1, text: 'x' }), 'unknown_type');
    });

    it('requires exactly one of text and box in send', () => {
      const neither = parseClientFrame('{"type":"send","id":"x","to":"bob"}');
      const both = parseClientFrame(JSON.stringify({ type: 'send', id: 'x', to: 'bob', text: 'a', box: BOX }));
      for (const result of [neither, both]) {
        assert.equal(result.ok, false);
        if (!result.ok) {
          assert.equal(result.code, 'invalid_frame');
          assert.match(result.detail, /exactly one of text and box/);
          assert.equal(result.id, 'x');
        }
      }
    });

    it('measures text in UTF-8 bytes: exactly 16 KiB passes, one byte more is text_too_long', () => {
      assert.equal(LIMITS.maxTextBytes, 16 * 1024);
      const send = (text: string) => clientCode({ type: 'send', id: 'x', to: '*', text });
      // 2-, 3- and 4-byte characters, each exactly at the limit and just over it.
      assert.equal(send('é'.repeat(8192)), 'ok');
      assert.equal(send('é'.repeat(8192) + 'a'), 'text_too_long');
      assert.equal(send('€'.repeat(5461) + 'a'), 'ok');
      assert.equal(send('€'.repeat(5461) + 'é'), 'text_too_long');
      assert.equal(send('😀'.repeat(4096)), 'ok');
      assert.equal(send('😀'.repeat(4095) + 'abcd' + 'a'), 'text_too_long');
      // Fewer UTF-16 units than the limit, more bytes.
      assert.equal(send('€'.repeat(5462)), 'text_too_long');
    });

    it('carries the id of a too-long message so the error can be matched to it', () => {
      const result = parseClientFrame(JSON.stringify({ type: 'send', id: 'long-1', to: '*', text: 'é'.repeat(9000) }));
      assert.deepEqual(result.ok ? undefined : [result.code, result.id], ['text_too_long', 'long-1']);
    });

    it('accepts ids of 1 to 64 of A-Z a-z 0-9 _ -', () => {
      for (const id of ['a', 'Z', '0', '_', '-', 'aZ09_-', 'x'.repeat(64)]) assert.equal(clientCode({ type: 'send', id, to: '*', text: 'a' }), 'ok', id);
    });

    it('refuses ids (and request ids) with other characters, empty, or over 64 characters', () => {
      for (const id of ['', 'has space', 'ünï', 'a'.repeat(65), 'a/b', 'a.b', 'a:b', 'a\nb', '😀']) {
        expectInvalid({ type: 'send', id, to: '*', text: 'a' }, 'id');
        expectInvalid({ type: 'history', rid: id, with: '*' }, 'rid');
        expectInvalid({ type: 'ping', rid: id }, 'rid');
      }
    });

    it('keeps the id and rid of an invalid frame so the error can be matched', () => {
      const send = parseClientFrame('{"type":"send","id":"abc","to":"bob","text":1}');
      assert.equal(!send.ok && send.id, 'abc');
      const history = parseClientFrame('{"type":"history","rid":"r9","with":"*","limit":0}');
      assert.equal(!history.ok && history.rid, 'r9');
    });

    it('echoes only an id or rid that an error frame can carry', () => {
      // The server copies these into its error frame, whose id and rid must be valid ids:
      // otherwise a conforming client refuses the error frame and never learns which send failed.
      const lines = [
        '{"type":"send","id":"","to":"bob","text":"a"}',
        '{"type":"send","id":"has space","to":"bob","text":"a"}',
        '{"type":"send","id":"a/b","to":"bob"}',
        '{"type":"history","rid":"ünï","with":"*"}',
      ];
      for (const line of lines) {
        const result = parseClientFrame(line);
        assert.equal(result.ok, false);
        if (result.ok) continue;
        const error = { type: 'error', code: result.code, message: ERROR_CODES[result.code], id: result.id, rid: result.rid, fatal: false };
        assert.equal(serverCode(error), 'ok', `${line} -> ${JSON.stringify(error)}`);
      }
    });

    it('property: whatever a client sends, the error it gets back is a valid server frame', () => {
      const anyId = fc.oneof(fc.string({ maxLength: 70 }), fc.constant(undefined), fc.integer());
      const frame = fc.record({
        type: fc.constantFrom('send', 'history', 'ping', 'ack', 'login'),
        id: anyId,
        rid: anyId,
        to: fc.oneof(fc.constant('bob'), fc.string()),
        text: fc.oneof(fc.string(), fc.constant(undefined)),
      });
      fc.assert(
        fc.property(frame, (input) => {
          const result = parseClientFrame(JSON.stringify(input));
          if (result.ok) return;
          const error = { type: 'error', code: result.code, message: ERROR_CODES[result.code], id: result.id, rid: result.rid, fatal: false };
          assert.equal(serverCode(error), 'ok', JSON.stringify(error));
        }),
        { numRuns: 200 },
      );
    });

    it('ignores unknown extra fields, so a client cannot forge from, seq or ts', () => {
      const result = parseClientFrame(JSON.stringify({ type: 'send', id: 'x', to: '*', text: 'a', from: 'mallory', seq: 1, ts: 1, plain: true }));
      assert.ok(result.ok);
      assert.deepEqual(Object.keys(result.frame).sort(), ['id', 'text', 'to', 'type']);
    });
  });

  describe('encodeFrame', () => {
    it('property: a send frame becomes exactly one line that parses back to the same frame', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/), (text, id) => {
          const frame = { type: 'send' as const, id, to: '*', text };
          const line = encodeFrame(frame);
          assert.ok(line.endsWith('\n'));
          assert.equal(line.indexOf('\n'), line.length - 1, 'no newline inside the frame');
          const parsed = parseClientFrame(line.slice(0, -1));
          assert.ok(parsed.ok);
          assert.deepEqual(parsed.frame, frame);
        }),
        { numRuns: 200 },
      );
    });
  });

  describe('server frames', () => {
    const user = { name: 'bob', publicKey: KEY, online: true };
    const msg = { type: 'msg', seq: 42, id: 'b7', from: 'bob', to: 'alice', ts: 1764057600000, text: 'are you there?' };
    const ROOM = { room: 'lab-3', kind: 'group', encrypted: true, readOnly: false, owner: 'alice', size: 2, member: true, seq: 40 };
    const SERVER_EXAMPLES: Record<string, Record<string, unknown>> = {
      hello: {
        type: 'hello',
        protocol: 'classchat',
        versions: [1],
        server: 'classchat-server/0.1.0',
        challenge: KEY,
        features: ['history', 'e2ee-box', 'plain-text'],
        joinCodeRequired: false,
        limits: { maxLineBytes: LIMITS.maxLineBytes, maxTextBytes: LIMITS.maxTextBytes },
        info: 'ClassChat server.',
      },
      welcome: { type: 'welcome', v: 1, name: 'alice', registered: true, ackedSeq: 41, users: [user, { name: 'carol', publicKey: null, online: false }, { name: 'alice', publicKey: KEY, online: true, devices: DEVICE_LIST }], device: 'lap' },
      msg,
      sent: { type: 'sent', id: 'a1', seq: 43, ts: 1764057605123, duplicate: false, file: 'f_1' },
      synced: { type: 'synced', seq: 42 },
      presence: { type: 'presence', user },
      history_page: {
        type: 'history_page',
        rid: 'r1',
        with: '*',
        messages: [
          msg,
          { ...msg, seq: 44, text: undefined, box: BOX },
          { ...msg, seq: 45, plain: true },
          { ...msg, seq: 46, text: undefined, box: BOX, file: { id: 'f_1', size: 1000, chunkBytes: 65553 } },
          { ...msg, seq: 47, text: undefined, box: BOX, device: 'lap', key: KEY_BOX },
          { ...msg, seq: 48, text: undefined, device: 'lap', otherDevices: true },
        ],
        more: true,
      },
      pong: { type: 'pong', rid: 'p1' },
      roster: { type: 'roster', users: [{ name: 'carol', publicKey: null, online: false }], more: false },
      error: { type: 'error', code: 'rate_limited', message: 'slow down', id: 'a2', fatal: false },
      bye: { type: 'bye', reason: 'server_shutdown' },
      room: { type: 'room', rid: 'r3', room: ROOM },
      room_list: { type: 'room_list', rid: 'r8', rooms: [ROOM, { ...ROOM, room: 'section-a', kind: 'class', encrypted: false, member: false }] },
      room_members: { type: 'room_members', rid: 'r9', room: 'lab-3', members: ['alice', 'bob'] },
      done: { type: 'done', rid: 'm1' },
      blocked: { type: 'blocked', rid: 'b1', names: ['dave'] },
      ...DEVICE_SERVER_EXAMPLES,
      file_chunk: { type: 'file_chunk', file: 'f_1', index: 7, data: Buffer.alloc(30, 1).toString('base64') },
      file_ack: { type: 'file_ack', file: 'f_1', index: 7 },
      file_state: { type: 'file_state', file: 'f_1', state: 'declined', by: 'bob' },
      file_status: {
        type: 'file_status',
        rid: 'r2',
        files: [{ file: 'f_1', id: 'm-f', from: 'alice', to: 'bob', size: 1000, chunkBytes: 65553, uploaded: 1, state: 'uploaded', seq: 44, ts: 1764057600000, box: BOX }],
      },
    };

    it('has an example here for every server frame type', () => {
      assert.deepEqual(Object.keys(SERVER_EXAMPLES).sort(), Object.keys(SERVER_FRAME_SCHEMAS).sort());
    });

    it('accepts a valid example of every server frame', () => {
      for (const frame of Object.values(SERVER_EXAMPLES)) assert.equal(serverCode(frame), 'ok', JSON.stringify(frame));
      assert.equal(serverCode({ type: 'pong' }), 'ok');
      assert.equal(serverCode({ ...SERVER_EXAMPLES.hello, info: undefined }), 'ok');
    });

    it('accepts every error code in error and bye frames', () => {
      for (const errorCode of Object.keys(ERROR_CODES)) {
        assert.equal(serverCode({ type: 'error', code: errorCode, message: 'x', fatal: true }), 'ok', errorCode);
        assert.equal(serverCode({ type: 'bye', reason: errorCode }), 'ok', errorCode);
      }
    });

    it('refuses an error frame or bye with an unknown code', () => {
      assert.equal(serverCode({ type: 'error', code: 'made_up', message: 'x', fatal: false }), 'invalid_frame');
      assert.equal(serverCode({ type: 'bye', reason: 'made_up' }), 'invalid_frame');
    });

    it('refuses error codes and bye reasons that are only names inherited from Object.prototype', () => {
      for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf']) {
        assert.equal(serverCode({ type: 'error', code: name, message: 'x', fatal: false }), 'invalid_frame', `error code ${name}`);
        assert.equal(serverCode({ type: 'bye', reason: name }), 'invalid_frame', `bye reason ${name}`);
      }
    });

    it('refuses server frames with wrong fields', () => {
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ ...msg, seq: 'one' }, 'seq'],
        [{ ...msg, from: '' }, 'from'],
        [{ ...msg, ts: -1 }, 'ts'],
        [{ ...msg, plain: false }, 'plain'],
        [{ ...SERVER_EXAMPLES.hello, protocol: 'irc' }, 'protocol'],
        [{ ...SERVER_EXAMPLES.hello, versions: [] }, 'versions'],
        [{ ...SERVER_EXAMPLES.hello, challenge: 'abc' }, 'challenge'],
        [{ ...SERVER_EXAMPLES.hello, limits: { maxLineBytes: 0, maxTextBytes: 1 } }, 'limits.maxLineBytes'],
        [{ ...SERVER_EXAMPLES.welcome, users: [{ name: 'bob', publicKey: 'x', online: true }] }, 'users.0.publicKey'],
        [{ ...SERVER_EXAMPLES.sent, duplicate: 'no' }, 'duplicate'],
        [{ ...SERVER_EXAMPLES.error, fatal: undefined }, 'fatal'],
        [{ ...SERVER_EXAMPLES.error, message: 'x'.repeat(1025) }, 'message'],
        [{ ...SERVER_EXAMPLES.history_page, messages: [{ ...msg, id: 'bad id' }] }, 'messages.0.id'],
      ];
      for (const [frame, field] of cases) {
        const result = parseServerFrame(JSON.stringify(frame));
        assert.equal(result.ok, false, JSON.stringify(frame));
        if (result.ok) continue;
        assert.equal(result.code, 'invalid_frame');
        assert.ok(result.detail.startsWith(`${field}:`), `detail "${result.detail}" should name ${field}`);
      }
    });

    it('reports a frame type it does not know as unknown_type (a newer server), and a client frame type too', () => {
      assert.equal(serverCode({ type: 'typing', user: 'bob' }), 'unknown_type');
      assert.equal(serverCode({ type: 'send', id: 'x', to: '*', text: 'a' }), 'unknown_type');
    });
  });
});
