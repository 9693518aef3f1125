/** Examples of every v4 frame (PROTOCOL.md 22) for the codec test, with every optional field set. */
const KEY = Buffer.alloc(32).toString('base64');
const SIG = Buffer.alloc(64).toString('base64');
const BOX = { nonce: Buffer.alloc(24, 1).toString('base64'), ciphertext: Buffer.alloc(48, 2).toString('base64') };

/** A device list of the right shape (the schema does not check its signature), and one device's key box. */
export const DEVICE_LIST = {
  user: 'alice',
  version: 3,
  primary: 'lap',
  devices: [
    { id: 'lab-12', publicKey: KEY, label: 'Lab PC 12', added: 1764057600000 },
    { id: 'lap', publicKey: Buffer.alloc(32, 1).toString('base64'), label: 'Laptop', added: 1764000000000 },
  ],
  signature: SIG,
};
export const KEY_BOX = { nonce: Buffer.alloc(24, 3).toString('base64'), ciphertext: Buffer.alloc(96, 4).toString('base64') };

export const DEVICE_CLIENT_EXAMPLES: Record<string, Record<string, unknown>> = {
  link_request: { type: 'link_request', rid: 'l1', name: 'alice', device: 'lab-12', deviceKey: KEY, ephemeralKey: KEY, label: 'Lab PC 12', commitment: KEY },
  link_nonce: { type: 'link_nonce', link: 'k1', nonce: KEY },
  link_reveal: { type: 'link_reveal', link: 'k1', nonce: KEY },
  link_approve: { type: 'link_approve', link: 'k1', list: DEVICE_LIST, bundle: Buffer.alloc(300, 5).toString('base64') },
  link_cancel: { type: 'link_cancel', link: 'k1', reason: 'mismatch' },
  device_list_set: { type: 'device_list_set', rid: 'd1', list: DEVICE_LIST },
  device_leave: { type: 'device_leave', rid: 'd2' },
  recovery_set: { type: 'recovery_set', rid: 'd3', box: BOX },
  recovery_get: { type: 'recovery_get', rid: 'd4', name: 'alice' },
};

export const DEVICE_SERVER_EXAMPLES: Record<string, Record<string, unknown>> = {
  link_pending: { type: 'link_pending', rid: 'l1', link: 'k1', identityKey: KEY, expires: 1764057900000 },
  link_request: { type: 'link_request', link: 'k1', device: 'lab-12', deviceKey: KEY, ephemeralKey: KEY, label: 'Lab PC 12', commitment: KEY },
  link_nonce: { type: 'link_nonce', link: 'k1', nonce: KEY },
  link_reveal: { type: 'link_reveal', link: 'k1', nonce: KEY },
  link_approved: { type: 'link_approved', link: 'k1', bundle: Buffer.alloc(300, 5).toString('base64') },
  link_cancelled: { type: 'link_cancelled', link: 'k1', reason: 'expired' },
  device_list: { type: 'device_list', list: DEVICE_LIST },
  device_left: { type: 'device_left', device: 'lab-12' },
  recovery: { type: 'recovery', rid: 'd4', box: BOX, version: 3 },
};
