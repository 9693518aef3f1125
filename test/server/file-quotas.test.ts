/**
 * The file spool's quotas, frame by frame with raw clients: per sender across self-registered
 * recipients, the server's whole budget, offers whose upload never begins expiring (fake clock)
 * and freeing the recipient's quota, and every count rebuilt from disk after a restart.
 */
import { strict as assert } from 'node:assert';
import type { Identity } from '../../src/crypto/identity';
import type { FileLimits } from '../../src/server/files/file-quotas';
import { RawClient } from '../helpers/raw-client';
import { startTestServer, TestServer } from '../helpers/test-server';

const BOX = { nonce: Buffer.alloc(24, 1).toString('base64'), ciphertext: Buffer.alloc(64, 2).toString('base64') };
const SIZE = 1000;

describe('file quotas (server)', function () {
  this.timeout(20_000);
  let server: TestServer;
  let clock: number;
  const clients: RawClient[] = [];
  const identities = new Map<string, Identity>();

  async function start(limits: Partial<FileLimits>, dataDir?: string): Promise<void> {
    server = await startTestServer({ rateLimit: false, fileLimits: { sweepMs: 20, ...limits }, fileClock: () => clock, ...(dataDir ? { dataDir } : {}) });
  }

  async function login(name: string): Promise<RawClient> {
    const { client, identity } = await RawClient.login(server.port, name, identities.get(name));
    identities.set(name, identity);
    clients.push(client);
    return client;
  }

  function closeClients(): void {
    for (const client of clients.splice(0)) client.close();
  }

  /** Offers `to` a file of `size` bytes in chunks of SIZE; resolves with the file id, or with the error frame. */
  async function offer(client: RawClient, to: string, id: string, size = SIZE): Promise<{ file?: string; error?: { code: string; message: string } }> {
    client.send({ type: 'send', id, to, box: BOX, file: { size, chunkBytes: SIZE } });
    const reply = await client.waitFor(() => {
      const at = client.frames.findIndex((frame) => (frame.type === 'sent' || frame.type === 'error') && frame.id === id);
      return at === -1 ? undefined : client.frames.splice(at, 1)[0];
    }, `the answer to offer ${id}`);
    if (reply.type === 'sent') return { file: reply.file };
    assert.equal(reply.type, 'error');
    return { error: reply };
  }

  beforeEach(() => {
    clock = 1_000_000;
    identities.clear();
  });

  afterEach(async () => {
    closeClients();
    await server.close();
  });

  it('refuses a sender over its own quota across many self-registered recipients, while another sender still can', async () => {
    await start({ maxSenderBytes: 3 * SIZE });
    const mallory = await login('mallory');
    for (let index = 0; index < 4; index++) await login(`sock${index}`);
    const carol = await login('carol');
    for (let index = 0; index < 3; index++) assert.ok((await offer(mallory, `sock${index}`, `m${index}`)).file);
    const refused = await offer(mallory, 'sock3', 'm3');
    assert.equal(refused.error?.code, 'quota_exceeded');
    assert.match(refused.error!.message, /sender quota: you already have 3000 bytes/);
    assert.ok((await offer(carol, 'sock3', 'c1')).file, 'another sender is not blocked');
  });

  it('refuses any offer once the server budget is used, and says it is the server that is full', async () => {
    await start({ spoolBudgetBytes: 2 * SIZE });
    const [alice, bob, carol] = [await login('alice'), await login('bob'), await login('carol')];
    assert.ok((await offer(alice, 'bob', 'a1')).file);
    assert.ok((await offer(carol, 'alice', 'c1')).file);
    const refused = await offer(bob, 'carol', 'b1');
    assert.equal(refused.error?.code, 'quota_exceeded');
    assert.match(refused.error!.message, /server budget: .*2000 of 2000 bytes in use/);
  });

  it('expires an offer whose upload never begins, tells both parties, and frees the recipient at once', async () => {
    await start({ maxRecipientBytes: 2 * SIZE, startTimeoutMs: 600_000 });
    const [alice, bob, carol] = [await login('alice'), await login('bob'), await login('carol')];
    const idle = (await offer(alice, 'bob', 'idle')).file!;
    const refused = (await offer(carol, 'bob', 'refused')).file!;
    // A chunk of the wrong length is refused and does not count as the upload beginning.
    carol.send({ type: 'file_chunk', file: refused, index: 0, data: Buffer.alloc(SIZE / 2).toString('base64') });
    await carol.next('error', (frame) => frame.code === 'bad_chunk');
    const begun = (await offer(carol, 'alice', 'begun', 2 * SIZE)).file!;
    assert.equal((await offer(alice, 'bob', 'blocked')).error?.code, 'quota_exceeded', 'bob is full');
    clock += 300_000;
    carol.send({ type: 'file_chunk', file: begun, index: 0, data: Buffer.alloc(SIZE).toString('base64') });
    await carol.next('file_ack', (frame) => frame.file === begun && frame.index === 0);
    clock += 300_000;
    assert.equal((await bob.next('file_state', (frame) => frame.file === idle)).state, 'expired');
    assert.equal((await alice.next('file_state', (frame) => frame.file === idle)).state, 'expired');
    assert.equal((await bob.next('file_state', (frame) => frame.file === refused)).state, 'expired');
    assert.ok((await offer(alice, 'bob', 'again')).file, "bob's quota is free again, not in 7 days");
    bob.send({ type: 'file_status', rid: 's' });
    const states = Object.fromEntries((await bob.next('file_status')).files.map((info) => [info.id, info.state]));
    assert.deepEqual(states, { idle: 'expired', refused: 'expired', again: 'uploading' });
    alice.send({ type: 'file_status', rid: 't', file: begun });
    const [info] = (await alice.next('file_status')).files;
    assert.deepEqual([info.state, info.uploaded], ['uploading', 1], 'an upload that has begun does not expire');
  });

  it('rebuilds every quota from the files on disk after a restart', async () => {
    const limits = { maxSenderBytes: 2 * SIZE, spoolBudgetBytes: 3 * SIZE };
    await start(limits);
    const [mallory, , carol] = [await login('mallory'), await login('bob'), await login('carol')];
    assert.ok((await offer(mallory, 'bob', 'm1')).file);
    const second = (await offer(mallory, 'carol', 'm2')).file!;
    assert.ok((await offer(carol, 'bob', 'c1')).file);
    closeClients();
    await server.stop();
    await start(limits, server.dataDir);
    const [mallory2, , carol2] = [await login('mallory'), await login('bob'), await login('carol')];
    assert.match((await offer(mallory2, 'bob', 'm3')).error?.message ?? '', /sender quota: you already have 2000 bytes/);
    assert.match((await offer(carol2, 'bob', 'c2')).error?.message ?? '', /server budget: .*3000 of 3000 bytes/);
    mallory2.send({ type: 'file_cancel', file: second, reason: 'cancelled' });
    await mallory2.next('file_state', (frame) => frame.file === second && frame.state === 'cancelled');
    assert.ok((await offer(mallory2, 'bob', 'm4')).file, 'a cancelled file frees both quotas');
  });
});
