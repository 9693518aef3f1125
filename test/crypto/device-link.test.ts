/** Linking a device (PROTOCOL.md 22.3, 22.4): commitment, transcript, the 6-digit code, and the provisioning bundle. */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { signDeviceList, UnsignedDeviceList, withDevice } from '../../src/crypto/device-list';
import {
  BundleTooLargeError,
  checkLinkCommitment,
  EphemeralKeyPair,
  generateEphemeralKeyPair,
  LinkParameters,
  linkCode,
  linkCommitment,
  linkTranscript,
  openBundle,
  sameLinkCode,
  sealBundle,
} from '../../src/crypto/device-link';
import type { Identity } from '../../src/crypto/identity';
import { Sodium, sodiumReady, toBase64 } from '../../src/crypto/sodium';
import type { ProvisioningBundle } from '../../src/protocol/device-frames';

const bytes32 = (fill: number) => Buffer.alloc(32, fill).toString('base64');

/** The worked example; commitment, transcript and code were computed with Python's hashlib. */
const EXAMPLE: LinkParameters = {
  name: 'alice',
  identityKey: 'A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=',
  device: 'lab-12',
  deviceKey: bytes32(2),
  ephemeralKey: bytes32(3),
  label: 'Lab PC 12',
  deviceNonce: bytes32(4),
  primaryNonce: bytes32(5),
};

describe('device linking', () => {
  let sodium: Sodium;
  let identity: Identity;
  let deviceKey: string;
  let ephemeral: EphemeralKeyPair;
  let link: LinkParameters;
  let start: UnsignedDeviceList;

  before(async () => {
    sodium = await sodiumReady();
    const pair = sodium.crypto_sign_keypair();
    identity = { publicKey: toBase64(sodium, pair.publicKey), secretKey: toBase64(sodium, pair.privateKey) };
    deviceKey = toBase64(sodium, sodium.crypto_sign_keypair().publicKey);
    ephemeral = generateEphemeralKeyPair(sodium);
    link = { ...EXAMPLE, identityKey: identity.publicKey, deviceKey, ephemeralKey: ephemeral.publicKey, deviceNonce: toBase64(sodium, sodium.randombytes_buf(32)), primaryNonce: toBase64(sodium, sodium.randombytes_buf(32)) };
    start = { user: 'alice', version: 4, primary: 'lap', devices: [{ id: 'lap', publicKey: bytes32(1), label: 'Laptop', added: 1 }] };
  });

  function bundleFor(parameters: LinkParameters, overrides: Partial<ProvisioningBundle> = {}): ProvisioningBundle {
    const list = signDeviceList(sodium, identity, withDevice(start, { id: parameters.device, publicKey: parameters.deviceKey, label: parameters.label, added: 2 }));
    const transcript = toBase64(sodium, linkTranscript(sodium, parameters));
    return { v: 1, transcript, name: parameters.name, identityKey: identity.publicKey, list, readSeq: 77, pins: [{ name: 'bob', key: bytes32(6), verified: true }], ...overrides };
  }

  it('derives the commitment, transcript and code of the worked example (known answers, computed independently)', () => {
    assert.equal(linkCommitment(sodium, EXAMPLE.deviceKey, EXAMPLE.ephemeralKey, EXAMPLE.deviceNonce), 'yoQNGRFOrNhl4qSXcvu8aJdiJu9/MWPyPjyhmbv0C8Q=');
    const transcript = linkTranscript(sodium, EXAMPLE);
    assert.equal(toBase64(sodium, transcript), '84wVnQok6DCD2zY7D3fpyIrhlzbJ1PTkvWnsNVONo18=');
    assert.equal(linkCode(sodium, transcript), '762 996');
  });

  it('checks a revealed nonce against the commitment: another nonce or key does not match', () => {
    const commitment = linkCommitment(sodium, EXAMPLE.deviceKey, EXAMPLE.ephemeralKey, EXAMPLE.deviceNonce);
    assert.ok(checkLinkCommitment(sodium, commitment, EXAMPLE.deviceKey, EXAMPLE.ephemeralKey, EXAMPLE.deviceNonce));
    assert.ok(!checkLinkCommitment(sodium, commitment, EXAMPLE.deviceKey, EXAMPLE.ephemeralKey, bytes32(9)));
    assert.ok(!checkLinkCommitment(sodium, commitment, bytes32(8), EXAMPLE.ephemeralKey, EXAMPLE.deviceNonce));
    assert.ok(!checkLinkCommitment(sodium, commitment, EXAMPLE.deviceKey, bytes32(8), EXAMPLE.deviceNonce));
    assert.ok(!checkLinkCommitment(sodium, 'not base64', EXAMPLE.deviceKey, EXAMPLE.ephemeralKey, EXAMPLE.deviceNonce));
  });

  it('gives a different code when the server changes any part of the transcript', () => {
    const code = linkCode(sodium, linkTranscript(sodium, EXAMPLE));
    const changes: Array<Partial<LinkParameters>> = [
      { name: 'alicf' },
      { identityKey: bytes32(7) },
      { device: 'lab-13' },
      { deviceKey: bytes32(7) },
      { ephemeralKey: bytes32(7) },
      { label: 'Lab PC 13' },
      { deviceNonce: bytes32(7) },
      { primaryNonce: bytes32(7) },
    ];
    for (const change of changes) assert.notEqual(linkCode(sodium, linkTranscript(sodium, { ...EXAMPLE, ...change })), code, JSON.stringify(change));
    // Length prefixes: moving a byte between two fields is a different transcript.
    assert.notEqual(toBase64(sodium, linkTranscript(sodium, { ...EXAMPLE, name: 'alicel', device: 'ab-12' })), toBase64(sodium, linkTranscript(sodium, { ...EXAMPLE, name: 'alice', device: 'lab-12' })));
  });

  it('property: codes are 6 digits, and spread over all of them (no digit stuck)', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (nonce) => {
        const code = linkCode(sodium, linkTranscript(sodium, { ...EXAMPLE, primaryNonce: Buffer.from(nonce).toString('base64') }));
        assert.match(code, /^\d{3} \d{3}$/);
        seen.add(code);
      }),
      { numRuns: 300 },
    );
    assert.ok(seen.size > 290, `${seen.size} different codes in 300`);
    assert.ok(sameLinkCode('762996', '762 996') && sameLinkCode(' 762 996 ', '762 996') && !sameLinkCode('762 997', '762 996'));
  });

  it('opens a bundle sealed for this link and returns what the primary put in', () => {
    const bundle = bundleFor(link);
    const sealed = sealBundle(sodium, identity, linkTranscript(sodium, link), link.ephemeralKey, bundle);
    const opened = openBundle(sodium, sealed, ephemeral, link);
    assert.deepEqual(opened, { ok: true, bundle });
  });

  it('refuses a bundle for a transcript the user did not compare (a server running its own link)', () => {
    // The primary saw other nonces (the server's fake new device): its transcript, and so its signature, differ.
    const otherLink = { ...link, primaryNonce: bytes32(7) };
    const sealed = sealBundle(sodium, identity, linkTranscript(sodium, otherLink), link.ephemeralKey, bundleFor(otherLink));
    assert.deepEqual(openBundle(sodium, sealed, ephemeral, link), { ok: false, problem: 'bad_signature' });
  });

  it('refuses a bundle signed by a key other than the identity of the transcript (the server posing as the primary)', () => {
    const serverPair = sodium.crypto_sign_keypair();
    const server: Identity = { publicKey: toBase64(sodium, serverPair.publicKey), secretKey: toBase64(sodium, serverPair.privateKey) };
    const sealed = sealBundle(sodium, server, linkTranscript(sodium, link), link.ephemeralKey, bundleFor(link));
    assert.deepEqual(openBundle(sodium, sealed, ephemeral, link), { ok: false, problem: 'bad_signature' });
  });

  it('refuses a signed bundle whose contents name another transcript, identity, or a list without this device', () => {
    const transcript = linkTranscript(sodium, link);
    const seal = (bundle: ProvisioningBundle) => sealBundle(sodium, identity, transcript, link.ephemeralKey, bundle);
    assert.deepEqual(openBundle(sodium, seal(bundleFor(link, { transcript: bytes32(1) })), ephemeral, link), { ok: false, problem: 'wrong_transcript' });
    assert.deepEqual(openBundle(sodium, seal(bundleFor(link, { name: 'bob' })), ephemeral, link), { ok: false, problem: 'wrong_identity' });
    const withoutMe = signDeviceList(sodium, identity, { ...start, version: 5 });
    assert.deepEqual(openBundle(sodium, seal(bundleFor(link, { list: withoutMe })), ephemeral, link), { ok: false, problem: 'device_not_listed' });
    const otherKey = signDeviceList(sodium, identity, withDevice(start, { id: link.device, publicKey: bytes32(9), label: link.label, added: 2 }));
    assert.deepEqual(openBundle(sodium, seal(bundleFor(link, { list: otherKey })), ephemeral, link), { ok: false, problem: 'device_not_listed' });
    const forgedList = { ...bundleFor(link).list, signature: Buffer.alloc(64, 1).toString('base64') };
    assert.deepEqual(openBundle(sodium, seal(bundleFor(link, { list: forgedList })), ephemeral, link), { ok: false, problem: 'list_bad_signature' });
  });

  it('refuses a tampered, truncated or wrongly addressed bundle without throwing', () => {
    const sealed = Buffer.from(sealBundle(sodium, identity, linkTranscript(sodium, link), link.ephemeralKey, bundleFor(link)), 'base64');
    const flipped = Buffer.from(sealed);
    flipped[flipped.length - 10] ^= 1;
    assert.deepEqual(openBundle(sodium, flipped.toString('base64'), ephemeral, link), { ok: false, problem: 'could_not_open' });
    assert.deepEqual(openBundle(sodium, sealed.subarray(0, 40).toString('base64'), ephemeral, link), { ok: false, problem: 'could_not_open' });
    const stranger = generateEphemeralKeyPair(sodium);
    assert.deepEqual(openBundle(sodium, sealed.toString('base64'), stranger, { ...link, ephemeralKey: stranger.publicKey }), { ok: false, problem: 'could_not_open' });
    assert.deepEqual(openBundle(sodium, 'not base64', ephemeral, link), { ok: false, problem: 'could_not_open' });
  });

  it('refuses to seal a bundle that would not fit the frame', () => {
    const pins = Array.from({ length: 1000 }, (_, index) => ({ name: `student-with-a-long-name-${index}`.slice(0, 32), key: bytes32(index % 256), verified: true }));
    const huge = bundleFor(link, { pins: [...pins, ...pins] });
    assert.throws(() => sealBundle(sodium, identity, linkTranscript(sodium, link), link.ephemeralKey, huge), BundleTooLargeError);
  });
});
