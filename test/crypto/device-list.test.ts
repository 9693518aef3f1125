/** The signed device list (PROTOCOL.md 22.2): canonical bytes, signature, and what a client refuses. */
import { strict as assert } from 'node:assert';
import { DeviceList, deviceListBytes, DeviceListError, signDeviceList, UnsignedDeviceList, verifyDeviceList, withDevice, withoutDevice } from '../../src/crypto/device-list';
import type { Identity } from '../../src/crypto/identity';
import { Sodium, sodiumReady, toBase64 } from '../../src/crypto/sodium';

const key = (fill: number) => Buffer.alloc(32, fill).toString('base64');

/** The list of the worked example; its bytes and signature were computed with Python's hashlib and cryptography. */
const EXAMPLE: UnsignedDeviceList = {
  user: 'alice',
  version: 2,
  primary: 'lap',
  devices: [
    { id: 'lab-12', publicKey: key(2), label: 'Lab PC 12', added: 1764057600000 },
    { id: 'lap', publicKey: key(1), label: 'Laptop', added: 1764000000000 },
  ],
};
const EXAMPLE_BYTES =
  '636c617373636861742d6465766963652d6c6973742d763105616c6963650000000000000002036c617002066c61622d3132' +
  '0202020202020202020202020202020202020202020202020202020202020202' +
  '0000019aba06d000094c6162205043203132036c6170' +
  '0101010101010101010101010101010101010101010101010101010101010101' +
  '0000019ab697e800064c6170746f70';
const EXAMPLE_SIGNATURE = 'W5Vlgi0gU0Axvlzy0Txy0hx00B4ulBProCYsH7ijow4AGKUtn0Hb0bD4sk3KkZISsrEeJf6zW+tVZuGXqOTUAQ==';
const EXAMPLE_DIGEST = 'gZ1BVXGGM25j/2m1GqF9UJTl4u+RLgqEZRkMQhPa+Fg=';

describe('signed device lists', () => {
  let sodium: Sodium;
  let identity: Identity;
  let other: Identity;

  before(async () => {
    sodium = await sodiumReady();
    const pair = sodium.crypto_sign_seed_keypair(Uint8Array.from({ length: 32 }, (_, index) => index));
    identity = { publicKey: toBase64(sodium, pair.publicKey), secretKey: toBase64(sodium, pair.privateKey) };
    const otherPair = sodium.crypto_sign_keypair();
    other = { publicKey: toBase64(sodium, otherPair.publicKey), secretKey: toBase64(sodium, otherPair.privateKey) };
  });

  const verify = (list: unknown, pinned?: { version: number; digest: string }) => verifyDeviceList(sodium, list, identity.publicKey, 'alice', pinned);

  it('signs exactly the bytes of the worked example (known answer, computed independently)', () => {
    assert.equal(identity.publicKey, 'A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=');
    assert.equal(Buffer.from(deviceListBytes(EXAMPLE)).toString('hex'), EXAMPLE_BYTES);
    const signed = signDeviceList(sodium, identity, EXAMPLE);
    assert.equal(signed.signature, EXAMPLE_SIGNATURE);
    assert.deepEqual(verify(signed), { ok: true, list: signed, pinned: { version: 2, digest: EXAMPLE_DIGEST } });
  });

  it('refuses a list signed by another key (a server substituting the whole list)', () => {
    assert.deepEqual(verify(signDeviceList(sodium, other, EXAMPLE)), { ok: false, problem: 'bad_signature' });
  });

  it('refuses any change to a signed list: a substituted device key, label, date, primary, version or added device', () => {
    const signed = signDeviceList(sodium, identity, EXAMPLE);
    const tampered: DeviceList[] = [
      { ...signed, devices: [{ ...signed.devices[0], publicKey: key(7) }, signed.devices[1]] },
      { ...signed, devices: [{ ...signed.devices[0], label: 'Lab PC 13' }, signed.devices[1]] },
      { ...signed, devices: [signed.devices[0], { ...signed.devices[1], added: 1 }] },
      { ...signed, primary: 'lab-12' },
      { ...signed, version: 3 },
      { ...signed, devices: [...signed.devices, { id: 'mallory', publicKey: key(9), label: 'Laptop', added: 1 }] },
      { ...signed, devices: [signed.devices[1]] },
    ];
    for (const list of tampered) assert.deepEqual(verify(list), { ok: false, problem: 'bad_signature' }, JSON.stringify(list).slice(0, 100));
  });

  it('refuses a list for another user, even one its identity signed', () => {
    const bobs = signDeviceList(sodium, identity, { ...EXAMPLE, user: 'bob' });
    assert.deepEqual(verify(bobs), { ok: false, problem: 'wrong_user' });
  });

  it('refuses rollback to an older version and two different lists of one version, and accepts newer', () => {
    const v2 = signDeviceList(sodium, identity, EXAMPLE);
    const pinned = { version: 2, digest: EXAMPLE_DIGEST };
    const v1 = signDeviceList(sodium, identity, { ...EXAMPLE, version: 1, devices: [EXAMPLE.devices[1]] });
    assert.deepEqual(verify(v1, pinned), { ok: false, problem: 'rollback' });
    const otherV2 = signDeviceList(sodium, identity, { ...EXAMPLE, devices: [EXAMPLE.devices[1]] });
    assert.deepEqual(verify(otherV2, pinned), { ok: false, problem: 'equivocation' });
    assert.ok(verify(v2, pinned).ok, 'the same list again is fine');
    const v3 = signDeviceList(sodium, identity, withoutDevice(EXAMPLE, 'lab-12'));
    const checked = verify(v3, pinned);
    assert.ok(checked.ok);
    assert.equal(checked.pinned.version, 3);
  });

  it('refuses unsorted and duplicate ids, a repeated key, too many devices, none, and an unlisted primary, when signing and when verifying', () => {
    const [lab, lap] = EXAMPLE.devices;
    const device = (id: string, fill: number) => ({ id, publicKey: key(fill), label: id, added: 0 });
    // [list, why signing refuses it, why a receiver refuses it]: the schema already bounds the count.
    const cases: Array<[UnsignedDeviceList, string, string]> = [
      [{ ...EXAMPLE, devices: [lap, lab] }, 'not_sorted', 'not_sorted'],
      [{ ...EXAMPLE, devices: [lab, { ...lab, publicKey: key(5) }, lap] }, 'duplicate_id', 'duplicate_id'],
      [{ ...EXAMPLE, devices: [lab, { ...lap, publicKey: lab.publicKey }] }, 'duplicate_key', 'duplicate_key'],
      [{ ...EXAMPLE, primary: 'a', devices: ['a', 'b', 'c', 'd', 'e', 'f'].map((id, index) => device(id, index + 10)) }, 'too_many_devices', 'malformed'],
      [{ ...EXAMPLE, devices: [] }, 'no_devices', 'malformed'],
      [{ ...EXAMPLE, primary: 'gone' }, 'primary_not_listed', 'primary_not_listed'],
    ];
    for (const [list, signProblem, verifyProblem] of cases) {
      assert.throws(() => signDeviceList(sodium, identity, list), (error: unknown) => error instanceof DeviceListError && error.problem === signProblem, signProblem);
      // Whatever signature it carries, a receiver refuses it before checking the signature.
      assert.deepEqual(verify({ ...list, signature: EXAMPLE_SIGNATURE }), { ok: false, problem: verifyProblem }, signProblem);
    }
  });

  it('refuses malformed values without throwing', () => {
    for (const value of [null, 42, 'list', {}, { ...EXAMPLE }, { ...signDeviceList(sodium, identity, EXAMPLE), signature: 'short' }]) {
      assert.deepEqual(verify(value), { ok: false, problem: 'malformed' });
    }
  });

  it('adds a device in id order with the next version, so the primary signs a valid list', () => {
    const start: UnsignedDeviceList = { user: 'alice', version: 1, primary: 'lap', devices: [EXAMPLE.devices[1]] };
    const added = withDevice(start, EXAMPLE.devices[0]);
    assert.deepEqual(added, EXAMPLE);
    assert.ok(verify(signDeviceList(sodium, identity, added), { version: 1, digest: 'x' }).ok);
  });
});
