import { strict as assert } from 'node:assert';
import { describeError, formatDelay, formatMessage, formatPresence, formatRoster, formatSafetyNumber, formatState, formatVerify, printable } from '../../src/cli/classchat-format';
import { ChatClientError } from '../../src/client/errors';
import { ClassChatError } from '../../src/protocol/errors';
import type { KeyTrust } from '../../src/client/trust-book';
import type { ReceivedMessage } from '../../src/client/types';

const now = new Date(2024, 4, 1, 18, 0);
const at1203 = new Date(2024, 4, 1, 12, 3).getTime();

function message(extra: Partial<ReceivedMessage>): ReceivedMessage {
  return { type: 'msg', seq: 1, id: 'a', from: 'alice', to: '*', ts: at1203, text: 'hi', encrypted: false, trust: 'not_encrypted', ...extra };
}

const box = { nonce: 'AA==', ciphertext: 'AA==' };

describe('classchat output', () => {
  it('shows a message to everyone and private ones marked encrypted or not', () => {
    assert.equal(formatMessage(message({}), 'bob', now), '[12:03] (#1) alice → everyone: hi');
    const e2e = { box, encrypted: true } as const;
    assert.equal(formatMessage(message({ to: 'bob', ...e2e, trust: 'pinned' }), 'bob', now), '[12:03] (#1) alice → you [e2e]: hi');
    assert.equal(formatMessage(message({ to: 'bob', ...e2e, trust: 'verified' }), 'bob', now), '[12:03] (#1) alice → you [e2e, verified]: hi');
    assert.equal(formatMessage(message({ to: 'bob', ...e2e, trust: 'key_changed' }), 'bob', now), '[12:03] (#1) alice → you [e2e, KEY CHANGED]: hi');
    assert.equal(formatMessage(message({ from: 'bob', to: 'alice', ...e2e, trust: 'pinned' }), 'bob', now), '[12:03] (#1) you → alice [e2e]: hi');
    assert.equal(formatMessage(message({ to: 'bob' }), 'bob', now), '[12:03] (#1) alice → you [not encrypted]: hi');
  });

  it('says who sent a message that could not be decrypted, never printing its bytes', () => {
    const failed = (decryptError: ReceivedMessage['decryptError']) =>
      formatMessage(message({ to: 'bob', text: undefined, box, encrypted: true, trust: 'pinned', decryptError }), 'bob', now);
    assert.equal(failed('could_not_decrypt'), '[12:03] (#1) alice → you [e2e]: !! could not decrypt this message from alice: it was changed in transit, or sealed with another key');
    assert.match(failed('misaddressed'), /could not decrypt this message from alice: it was sealed for another conversation/);
    assert.match(failed('unknown_key'), /alice's key is not known/);
  });

  it('shows a safety number as three rows of four groups and how to confirm it', () => {
    const number = Array.from({ length: 12 }, (_, i) => String(i + 1).padStart(5, '0')).join(' ');
    assert.deepEqual(formatSafetyNumber(number), ['    00001 00002 00003 00004', '    00005 00006 00007 00008', '    00009 00010 00011 00012']);
    const lines = formatVerify('bob', number, 'key_changed');
    assert.match(lines.join('\n'), /bob's key CHANGED/);
    assert.match(lines[lines.length - 1], /\/verify bob confirm/);
  });

  it('marks messages from unauthenticated plain-text users', () => {
    assert.equal(formatMessage(message({ plain: true }), 'bob', now), '[12:03] (#1) alice (unauthenticated plain-text user) → everyone: hi');
  });

  it('shows the date for messages from another day', () => {
    assert.equal(formatMessage(message({ ts: new Date(2024, 3, 30, 9, 5).getTime() }), 'bob', now), '[2024-04-30 09:05] (#1) alice → everyone: hi');
  });

  it('neutralises terminal escape sequences and bidi overrides in what others write', () => {
    assert.equal(printable('a\u001b[2Jb\u0007c\u202ed'), 'a␛[2Jb␇c<U+202E>d');
    assert.equal(printable('line1\nline2\tx'), 'line1␊line2\tx');
    assert.equal(formatMessage(message({ text: 'one\ntwo' }), 'bob', now), '[12:03] (#1) alice → everyone: one\n    two');
  });

  it('shows presence changes', () => {
    assert.equal(formatPresence({ name: 'bob', publicKey: null, online: true }, { publicKey: null, online: false }), '* bob is online');
    assert.equal(formatPresence({ name: 'bob', publicKey: null, online: false }, { publicKey: null, online: true }), '* bob went offline');
    assert.equal(formatPresence({ name: 'bob', publicKey: null, online: true }, undefined), '* bob joined the class and is online');
    assert.equal(formatPresence({ name: 'bob', publicKey: null, online: true }, { publicKey: null, online: true }), undefined);
  });

  it('lists online people first, then offline, each by name', () => {
    const roster = new Map([
      ['carol', { publicKey: 'k', online: false }],
      ['bob', { publicKey: 'k', online: true }],
      ['alice', { publicKey: 'k', online: true }],
      ['dave', { publicKey: null, online: false }],
    ]);
    assert.deepEqual(formatRoster(roster, 'alice'), ['Online (2): alice (you), bob', 'Offline (2): carol, dave (plain text)']);
    const trust = (name: string): KeyTrust => (name === 'bob' ? 'verified' : name === 'carol' ? 'key_changed' : 'pinned');
    assert.deepEqual(formatRoster(roster, 'alice', trust), ['Online (2): alice (you), bob (verified)', 'Offline (2): carol (KEY CHANGED), dave (plain text)']);
    const staff = new Map([['mrs.k', { publicKey: 'k', online: true, role: 'teacher' as const }], ['tim', { publicKey: 't', online: false, role: 'ta' as const }]]);
    assert.deepEqual(formatRoster(staff, 'alice'), ['Online (1): mrs.k [teacher]', 'Offline (1): tim [TA]']);
  });

  it('describes connection states', () => {
    const reason = new ChatClientError('connection_lost', 'the server closed the connection');
    assert.equal(formatState({ state: 'reconnecting', attempt: 1, delayMs: 2000, reason }, 'h:1', 'alice', true), '* connection lost (the server closed the connection); reconnecting in 2s… (attempt 1)');
    assert.match(formatState({ state: 'reconnecting', attempt: 3, delayMs: 300, reason }, 'h:1', 'alice', true) ?? '', /still offline .* in 0\.3s… \(attempt 3\)/);
    assert.equal(formatState({ state: 'connected', welcome: { type: 'welcome', v: 1, name: 'alice', registered: false, ackedSeq: 0, users: [] } }, 'h:1', 'alice', true), '* reconnected');
    assert.equal(formatState({ state: 'closed' }, 'h:1', 'alice', true), undefined);
  });

  it('formats delays', () => {
    assert.deepEqual([formatDelay(250), formatDelay(2000), formatDelay(65_000)], ['0.3s', '2s', '1m 5s']);
  });

  it('adds what to do to login errors', () => {
    assert.match(describeError(new ClassChatError('join_code_required')), /--join-code/);
    assert.match(describeError(new ClassChatError('name_taken')), /another --name/);
  });
});
