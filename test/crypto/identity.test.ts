import { strict as assert } from 'node:assert';
import { generateIdentity, signLogin, verifyLogin } from '../../src/crypto/identity';

describe('identity keys and login signatures', () => {
  const challenge = Buffer.alloc(32, 7).toString('base64');

  it('verifies a signature over the challenge and the name', async () => {
    const identity = await generateIdentity();
    const signature = await signLogin(identity, challenge, 'alice');
    assert.equal(await verifyLogin(identity.publicKey, signature, challenge, 'alice'), true);
  });

  it('rejects another key, another name, another challenge and a flipped bit', async () => {
    const identity = await generateIdentity();
    const other = await generateIdentity();
    const signature = await signLogin(identity, challenge, 'alice');
    assert.equal(await verifyLogin(other.publicKey, signature, challenge, 'alice'), false);
    assert.equal(await verifyLogin(identity.publicKey, signature, challenge, 'bob'), false);
    assert.equal(await verifyLogin(identity.publicKey, signature, Buffer.alloc(32, 8).toString('base64'), 'alice'), false);
    const flipped = Buffer.from(signature, 'base64');
    flipped[10] ^= 1;
    assert.equal(await verifyLogin(identity.publicKey, flipped.toString('base64'), challenge, 'alice'), false);
  });

  it('returns false, never throws, on malformed keys and signatures', async () => {
    const identity = await generateIdentity();
    const signature = await signLogin(identity, challenge, 'alice');
    assert.equal(await verifyLogin('not base64!', signature, challenge, 'alice'), false);
    assert.equal(await verifyLogin(identity.publicKey, 'AAAA', challenge, 'alice'), false);
    assert.equal(await verifyLogin(Buffer.alloc(31).toString('base64'), signature, challenge, 'alice'), false);
  });
});
