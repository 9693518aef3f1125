import { strict as assert } from 'node:assert';
import { chatHtml, newNonce } from '../../src/extension/chat-html';
import { classmateItem, fileRecipientPicks } from '../../src/extension/classmate-items';
import { formatSafetyNumber } from '../../src/extension/safety-number-text';
import { describeConnectError, describeSendError } from '../../src/extension/error-text';
import { SettingsError } from '../../src/extension/settings';
import { statusText } from '../../src/extension/status-text';
import { ChatClientError } from '../../src/client/errors';
import { ClassChatError } from '../../src/protocol/errors';

describe('classmate tree items', () => {
  it('shows online classmates with a filled icon and unread count in the description', () => {
    const item = classmateItem({ name: 'bob', online: true, hasKey: true, unread: 3, key: 'pinned' });
    assert.equal(item.label, 'bob');
    assert.equal(item.description, '3 unread');
    assert.equal(item.icon, 'circle-filled');
    assert.equal(item.contextValue, 'classmate.online.pinned');
    assert.match(item.tooltip, /not verified yet/);
    assert.match(item.tooltip, /3 unread messages/);
  });

  it('shows offline and plain-text classmates as such', () => {
    const item = classmateItem({ name: 'dan', online: false, hasKey: false, unread: 0, key: 'no_key' });
    assert.equal(item.description, 'offline · plain text');
    assert.equal(item.icon, 'circle-outline');
    assert.equal(item.contextValue, 'classmate.offline.no_key');
    assert.match(item.tooltip, /not authenticated/);
  });

  it('marks verified keys and warns about changed ones', () => {
    assert.equal(classmateItem({ name: 'bob', online: true, hasKey: true, unread: 0, key: 'verified' }).description, '✓ verified');
    const teacher = classmateItem({ name: 'mrs.k', online: true, hasKey: true, unread: 1, key: 'pinned', role: 'teacher' });
    assert.equal(teacher.description, 'teacher · 1 unread');
    assert.match(teacher.tooltip, /^mrs\.k \(teacher\): online/);
    assert.equal(classmateItem({ name: 'tim', online: false, hasKey: true, unread: 0, key: 'pinned', role: 'ta' }).description, 'TA · offline');
    const changed = classmateItem({ name: 'eve', online: true, hasKey: true, unread: 1, key: 'key_changed' });
    assert.equal(changed.description, '1 unread · ⚠ key changed');
    assert.match(changed.tooltip, /CHANGED/);
  });

  it('lays a safety number out in three lines of four groups', () => {
    const number = Array.from({ length: 12 }, (_, i) => String(10000 + i)).join(' ');
    assert.equal(formatSafetyNumber(number), '10000 10001 10002 10003\n10004 10005 10006 10007\n10008 10009 10010 10011');
  });
});

describe('the quick pick of file recipients', () => {
  it('lists online classmates first, then offline, by name, marking verified keys', () => {
    const picks = fileRecipientPicks([
      { name: 'zoe', online: false, hasKey: true, unread: 0, key: 'pinned' },
      { name: 'carol', online: true, hasKey: true, unread: 2, key: 'verified' },
      { name: 'dave', online: false, hasKey: true, unread: 0, key: 'verified' },
      { name: 'bob', online: true, hasKey: true, unread: 0, key: 'pinned' },
      { name: 'nc-user', online: true, hasKey: false, unread: 0, key: 'no_key' },
    ]);
    assert.deepEqual(picks, [
      { label: 'bob', description: 'online' },
      { label: 'carol', description: 'online · verified' },
      { label: 'dave', description: 'offline · verified' },
      { label: 'zoe', description: 'offline' },
    ]);
  });
});

describe('status bar text', () => {
  it('says who is connected and how many are online', () => {
    const s = statusText({ status: 'connected', me: 'alice', server: 'h:1', online: 5 }, 0);
    assert.equal(s.text, '$(comment-discussion) alice · 5 online');
    assert.match(s.tooltip, /connected as alice to h:1/);
    assert.match(statusText({ status: 'connected', me: 'alice', online: 5 }, 2).text, /2 unread/);
  });

  it('shows reconnecting and disconnected', () => {
    assert.match(statusText({ status: 'reconnecting', online: 0, detail: 'ECONNREFUSED' }, 0).text, /reconnecting…/);
    assert.match(statusText({ status: 'reconnecting', online: 0, detail: 'ECONNREFUSED' }, 0).tooltip, /ECONNREFUSED/);
    assert.match(statusText({ status: 'disconnected', online: 0 }, 0).tooltip, /disconnected/);
  });
});

describe('error texts', () => {
  it('says the server is unreachable in plain words, with Retry and Open Settings', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5050'), { code: 'ECONNREFUSED' });
    const text = describeConnectError(refused, '127.0.0.1:5050', 'alice');
    assert.match(text.message, /Cannot reach a ClassChat server at 127\.0\.0\.1:5050/);
    assert.deepEqual(text.actions, ['retry', 'openSettings']);
    assert.equal(text.setting, 'classchat.host');
    const failed = describeConnectError(new ChatClientError('connect_failed', 'connection refused'), 'h:1', 'alice');
    assert.match(failed.message, /Cannot reach a ClassChat server at h:1 \(connection refused\)/);
    assert.deepEqual(failed.actions, ['retry', 'openSettings']);
  });

  it('sends a taken name and a wrong join code to the right setting', () => {
    const taken = describeConnectError(new ClassChatError('name_taken'), 's:1', 'alice');
    assert.match(taken.message, /"alice" on s:1 belongs to someone else/);
    assert.equal(taken.setting, 'classchat.userName');
    assert.equal(describeConnectError(new ClassChatError('bad_join_code'), 's:1', 'a').setting, 'classchat.joinCode');
    assert.equal(describeConnectError(new ClassChatError('join_code_required'), 's:1', 'a').setting, 'classchat.joinCode');
    assert.equal(describeConnectError(new SettingsError('classchat.port', 'bad port'), '', '').setting, 'classchat.port');
    assert.match(describeConnectError(new ChatClientError('timeout', 'x'), 's:1', 'a').message, /did not answer in time/);
  });

  it('sends TLS failures to the TLS settings', () => {
    const required = describeConnectError(new ClassChatError('tls_required'), 's:1', 'a');
    assert.match(required.message, /s:1 accepts only encrypted \(TLS\) connections\. Turn on classchat\.tls\.enabled/);
    assert.equal(required.setting, 'classchat.tls');
    const pin = describeConnectError(new ChatClientError('tls_failed', 'the TLS certificate of s:1 is not the pinned one'), 's:1', 'a');
    assert.match(pin.message, /Could not connect securely: the TLS certificate of s:1 is not the pinned one/);
    assert.deepEqual(pin.actions, ['retry', 'openSettings']);
    assert.equal(pin.setting, 'classchat.tls');
  });

  it('explains refused sends', () => {
    assert.match(describeSendError(new ChatClientError('key_changed', 'x')), /key changed/);
    assert.match(describeSendError(new ClassChatError('text_too_long')), /too long/);
  });
});

describe('chat webview page', () => {
  it('allows only our nonce script and stylesheet', () => {
    const nonce = newNonce();
    const html = chatHtml({ cspSource: 'vscode-webview://x', nonce, scriptUri: 'vscode-webview://x/main.js', styleUri: 'vscode-webview://x/main.css' });
    const csp = /Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, new RegExp(`script-src 'nonce-${nonce.replace(/[+/=]/g, (c) => `\\${c}`)}'`));
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    // data: for image previews only: no data: scripts, styles, fonts or frames.
    assert.equal(csp.split('; ').filter((directive) => directive.includes('data:')).join(), 'img-src vscode-webview://x data:');
    assert.match(html, new RegExp(`<script nonce="${nonce.replace(/[+/=]/g, (c) => `\\${c}`)}" src="vscode-webview://x/main.js">`));
  });

  it('makes a fresh 128-bit nonce each time', () => {
    const a = newNonce();
    assert.equal(Buffer.from(a, 'base64').length, 16);
    assert.notEqual(a, newNonce());
  });
});
