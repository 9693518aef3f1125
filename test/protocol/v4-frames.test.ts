/** Protocol v4's linked-device frames (PROTOCOL.md 22): the rules the schemas enforce beyond field types. */
import { strict as assert } from 'node:assert';
import { parseClientFrame, parseServerFrame } from '../../src/protocol/codec';
import { DEVICE_CLIENT_FRAME_SCHEMAS, DEVICE_FRAMES_BEFORE_LOGIN, deviceListSchema, isDeviceLabel, provisioningBundleSchema, syncContentSchema } from '../../src/protocol/device-frames';
import { DEVICES_VERSION, LIMITS, PROTOCOL_VERSIONS, CLIENT_PROTOCOL_VERSIONS } from '../../src/protocol/limits';

const KEY = (fill: number) => Buffer.alloc(32, fill).toString('base64');
const SIG = Buffer.alloc(64, 9).toString('base64');
const BOX = { nonce: Buffer.alloc(24, 1).toString('base64'), ciphertext: Buffer.alloc(48, 2).toString('base64') };
const device = (id: string, fill: number) => ({ id, publicKey: KEY(fill), label: `PC ${id}`, added: 1 });
const LIST = { user: 'alice', version: 1, primary: 'a', devices: [device('a', 1)], signature: SIG };
const keyBox = (device: string) => ({ user: 'bob', device, nonce: BOX.nonce, ciphertext: Buffer.alloc(96, 4).toString('base64') });

function clientDetail(frame: unknown): string {
  const result = parseClientFrame(JSON.stringify(frame));
  return result.ok ? 'ok' : `${result.code} ${result.detail}`;
}

describe('protocol v4 frames (linked devices)', () => {
  it('is served: 4 is among the versions the server offers, and the ChatClient still speaks v3', () => {
    assert.equal(DEVICES_VERSION, 4);
    assert.ok((PROTOCOL_VERSIONS as readonly number[]).includes(DEVICES_VERSION));
    assert.ok(!(CLIENT_PROTOCOL_VERSIONS as readonly number[]).includes(DEVICES_VERSION));
  });

  it('lets linking and recovery frames come before login, and nothing that changes an account', () => {
    assert.deepEqual([...DEVICE_FRAMES_BEFORE_LOGIN].sort(), ['link_cancel', 'link_request', 'link_reveal', 'recovery_get']);
    for (const type of DEVICE_FRAMES_BEFORE_LOGIN) assert.ok(type in DEVICE_CLIENT_FRAME_SCHEMAS);
  });

  it('takes labels of 1-64 UTF-8 bytes without control characters', () => {
    assert.ok(isDeviceLabel('Lab PC 12'));
    assert.ok(isDeviceLabel('é'.repeat(32)));
    for (const bad of ['', 'é'.repeat(33), 'tab\there', 'line\nbreak', 'bell\u0007', 'c1\u0085', 'del\u007f']) assert.ok(!isDeviceLabel(bad), JSON.stringify(bad));
  });

  it('bounds a device list: 1-5 devices, version ≥ 1, ids of 1-32 safe characters, exact key sizes', () => {
    assert.ok(deviceListSchema.safeParse(LIST).success);
    const five = ['a', 'b', 'c', 'd', 'e'].map((id, index) => device(id, index + 1));
    assert.ok(deviceListSchema.safeParse({ ...LIST, devices: five }).success);
    for (const bad of [
      { ...LIST, devices: [] },
      { ...LIST, devices: [...five, device('f', 6)] },
      { ...LIST, version: 0 },
      { ...LIST, primary: 'x'.repeat(33) },
      { ...LIST, devices: [{ ...device('a', 1), id: 'a/b' }] },
      { ...LIST, devices: [{ ...device('a', 1), publicKey: Buffer.alloc(33).toString('base64') }] },
      { ...LIST, devices: [{ ...device('a', 1), extra: true }] },
      { ...LIST, signature: KEY(1) },
    ]) {
      assert.ok(!deviceListSchema.safeParse(bad).success, JSON.stringify(bad).slice(0, 120));
    }
  });

  it('refuses send.keys without a box, with more than 9 entries, or with an oversized key box', () => {
    const send = { type: 'send', id: 'm1', to: 'bob', box: BOX };
    const nine = Array.from({ length: LIMITS.maxSendKeys }, (_, index) => keyBox(`d${index}`));
    assert.equal(clientDetail({ ...send, keys: nine }), 'ok');
    assert.match(clientDetail({ ...send, keys: [...nine, keyBox('d9')] }), /^invalid_frame keys:/);
    // Empty only for a note to yourself from your only device: the server checks it against the lists.
    assert.equal(clientDetail({ ...send, keys: [] }), 'ok');
    assert.match(clientDetail({ type: 'send', id: 'm1', to: 'bob', text: 'hi', keys: [keyBox('d0')] }), /^invalid_frame .*keys go with a box/);
    assert.match(clientDetail({ ...send, keys: [{ ...keyBox('d0'), ciphertext: 'A'.repeat(LIMITS.maxDeviceKeyBoxBase64 + 4) }] }), /^invalid_frame keys\.0\.ciphertext:/);
  });

  it('refuses a bundle over its limit and a link cancel with a reason only the server gives', () => {
    assert.match(clientDetail({ type: 'link_approve', link: 'k', list: LIST, bundle: 'A'.repeat(LIMITS.maxBundleBase64 + 4) }), /^invalid_frame bundle:/);
    assert.match(clientDetail({ type: 'link_cancel', link: 'k', reason: 'expired' }), /^invalid_frame reason:/);
    const cancelled = parseServerFrame(JSON.stringify({ type: 'link_cancelled', link: 'k', reason: 'expired' }));
    assert.ok(cancelled.ok);
  });

  it('bounds what travels inside boxes: bundle pins and sync content', () => {
    const bundle = { v: 1, transcript: KEY(3), name: 'alice', identityKey: KEY(4), list: LIST, readSeq: 7, pins: [{ name: 'bob', key: KEY(5), verified: true }] };
    assert.ok(provisioningBundleSchema.safeParse(bundle).success);
    const pins = Array.from({ length: LIMITS.maxBundlePins + 1 }, () => bundle.pins[0]);
    assert.ok(!provisioningBundleSchema.safeParse({ ...bundle, pins }).success);
    assert.ok(!provisioningBundleSchema.safeParse({ ...bundle, v: 2 }).success);
    assert.ok(syncContentSchema.safeParse({ pins: [{ name: 'bob', key: KEY(5), verified: false, at: 9 }], read: [{ with: '#lab-3', seq: 4 }], left: 'lab-12' }).success);
    assert.ok(!syncContentSchema.safeParse({ pins: [{ name: 'bob', key: KEY(5), verified: false }] }).success, 'a synced pin carries its time');
  });
});
