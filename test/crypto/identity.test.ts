import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { generateIdentity, Identity, loginMessage, randomChallenge, signLogin, verifyLogin } from '../../src/crypto/identity';

/**
 * The worked example of PROTOCOL.md ("Identity and login"): the Ed25519 key from the seed
 * bytes 0x00..0x1f, which libsodium and PyNaCl (SigningKey(bytes(range(32)))) both derive.
 */
const EXAMPLE = {
  identity: {
    publicKey: 'A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=',
    secretKey: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8DoQe/884Qvh1w3RjnS8CZZ+TWMJulDV8d3IZkElUxuA==',
  } satisfies Identity,
  challenge: 'q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=',
  name: 'alice',
  signature: '9eTdm/9kHge5IW6czNaIamut/TAWMlcSffX10Ga6yBbKre2WRUmk6A+RTuEnLCQa7pV/X1w16tmV0iBAyPJNCw==',
};

describe('identity keys and login signatures', () => {
  const challenge = Buffer.alloc(32, 7).toString('base64');
  let identity: Identity;
  let signature: string;

  before(async () => {
    identity = await generateIdentity();
    signature = await signLogin(identity, challenge, 'alice');
  });

  it('makes keys in standard base64 with padding: 32-byte public, 64-byte secret', async () => {
    assert.match(identity.publicKey, /^[A-Za-z0-9+/]{43}=$/);
    assert.match(identity.secretKey, /^[A-Za-z0-9+/]{86}==$/);
    assert.match(signature, /^[A-Za-z0-9+/]{86}==$/);
    // libsodium's secret key is the 32-byte seed followed by the public key.
    assert.deepEqual(Buffer.from(identity.secretKey, 'base64').subarray(32), Buffer.from(identity.publicKey, 'base64'));
    assert.notEqual((await generateIdentity()).publicKey, identity.publicKey);
  });

  it('makes a fresh 32-byte challenge each time', async () => {
    const a = await randomChallenge();
    assert.equal(Buffer.from(a, 'base64').length, 32);
    assert.notEqual(await randomChallenge(), a);
  });

  it('signs exactly "classchat-login-v1\\n" + challenge + "\\n" + name, as UTF-8 bytes', () => {
    assert.deepEqual(Buffer.from(loginMessage('Q0g=', 'alice')), Buffer.from('classchat-login-v1\nQ0g=\nalice', 'utf8'));
  });

  it('matches the worked example in PROTOCOL.md (the same bytes PyNaCl produces)', async () => {
    const hex =
      '636c617373636861742d6c6f67696e2d76310a' + // "classchat-login-v1\n"
      '71383376456a5257654a71383376456a5257654a71383376456a5257654a71383376456a5257654a7138303d0a' + // challenge text, "\n"
      '616c696365'; // "alice"
    assert.equal(Buffer.from(loginMessage(EXAMPLE.challenge, EXAMPLE.name)).toString('hex'), hex);
    // Ed25519 signatures are deterministic, so this is a fixed test vector.
    assert.equal(await signLogin(EXAMPLE.identity, EXAMPLE.challenge, EXAMPLE.name), EXAMPLE.signature);
    assert.equal(await verifyLogin(EXAMPLE.identity.publicKey, EXAMPLE.signature, EXAMPLE.challenge, EXAMPLE.name), true);
  });

  it('verifies a signature over the challenge and the name', async () => {
    assert.equal(await verifyLogin(identity.publicKey, signature, challenge, 'alice'), true);
  });

  it('rejects another key', async () => {
    const other = await generateIdentity();
    assert.equal(await verifyLogin(other.publicKey, signature, challenge, 'alice'), false);
  });

  it('rejects another name, including the same name in another case (sign the normalised name)', async () => {
    assert.equal(await verifyLogin(identity.publicKey, signature, challenge, 'bob'), false);
    assert.equal(await verifyLogin(identity.publicKey, signature, challenge, 'Alice'), false);
    assert.equal(await verifyLogin(identity.publicKey, signature, challenge, 'alice '), false);
  });

  it('rejects another challenge', async () => {
    assert.equal(await verifyLogin(identity.publicKey, signature, Buffer.alloc(32, 8).toString('base64'), 'alice'), false);
  });

  it('rejects a signature with any single bit flipped', async () => {
    const bytes = Buffer.from(signature, 'base64');
    for (let bit = 0; bit < bytes.length * 8; bit++) {
      const flipped = Buffer.from(bytes);
      flipped[bit >> 3] ^= 1 << (bit & 7);
      assert.equal(await verifyLogin(identity.publicKey, flipped.toString('base64'), challenge, 'alice'), false, `bit ${bit}`);
    }
  });

  it('returns false, never throws, on garbage keys and signatures', async () => {
    const cases: Array<[string, string]> = [
      ['not base64!', signature],
      ['', signature],
      [Buffer.alloc(31).toString('base64'), signature],
      [Buffer.alloc(33).toString('base64'), signature],
      [identity.publicKey.replace(/=$/, ''), signature.replace(/==$/, 'xx')],
      [identity.publicKey, 'AAAA'],
      [identity.publicKey, ''],
      [identity.publicKey, '!!!!'],
      [identity.publicKey, Buffer.alloc(64).toString('base64')],
      [identity.publicKey, signature + signature],
      [identity.publicKey, Buffer.from(signature, 'base64').toString('base64url')],
    ];
    for (const [publicKey, sig] of cases) {
      assert.equal(await verifyLogin(publicKey, sig, challenge, 'alice'), false, `${publicKey} / ${sig}`);
    }
  });

  it('property: any strings as key and signature give false, never an exception', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 100 }), fc.string({ maxLength: 100 }), async (publicKey, sig) => {
        assert.equal(await verifyLogin(publicKey, sig, challenge, 'alice'), false);
      }),
      { numRuns: 200 },
    );
  });
});
