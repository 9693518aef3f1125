/**
 * The Store contract for linked devices (PROTOCOL.md 22): device records, per-device cursors, and
 * a v4 private message reaching its sender's mailbox when its keys name the sender's devices.
 */
import { strict as assert } from 'node:assert';
import type { DeviceRecord, NewMessage, Store } from '../../../src/server/store/store';

export interface DeviceSuiteContext {
  store(): Store;
  reopen: (() => Promise<void>) | undefined;
}

const KEY = 'A'.repeat(43) + '=';

function record(name: string, version: number, devices: string[], cursors: Record<string, number> = {}): DeviceRecord {
  return {
    name,
    list: { user: name, version, primary: devices[0], devices: devices.map((id, index) => ({ id, publicKey: KEY.slice(0, 42) + String.fromCharCode(65 + index) + '=', label: `device ${id}`, added: 1700000000000 + index })), signature: 'B'.repeat(86) + '==' },
    removed: [],
    cursors,
  };
}

export function deviceSuite(context: DeviceSuiteContext): void {
  describe('devices', () => {
    let next = 0;
    const say = (from: string, to: string, fields: Partial<NewMessage> = {}): NewMessage => ({ from, to, id: `d${++next}`, ts: 1700000000000 + next, box: { nonce: 'bm9uY2U=', ciphertext: 'Y2lwaGVy' }, ...fields });
    const keyBox = (user: string, device: string) => ({ user, device, nonce: 'bm9uY2U=', ciphertext: 'a2V5' });

    it('stores a device record with its recovery box, cursors and earlier lists, and keeps it across a reopen', async () => {
      const store = context.store();
      await store.putUser({ name: 'alice', publicKey: KEY });
      // `past`: the list that last listed the removed device, so what it sent stays readable (22.7).
      const stored: DeviceRecord = { ...record('alice', 2, ['laptop', 'lab']), removed: ['old'], recovery: { nonce: 'bm9uY2U=', ciphertext: 'c2VlZA==' }, cursors: { laptop: 0, lab: 0 }, past: [record('alice', 1, ['laptop', 'old']).list] };
      await store.putDevices(stored);
      assert.deepEqual(await store.listDevices(), [stored]);
      if (context.reopen) {
        await context.reopen();
        assert.deepEqual(await context.store().listDevices(), [stored]);
      }
    });

    it('refuses devices for a name nobody registered', async () => {
      await assert.rejects(context.store().putDevices(record('nobody', 1, ['laptop'])));
    });

    it('moves each device cursor forward only, apart from the others, and keeps them across a reopen', async () => {
      const store = context.store();
      await store.putUser({ name: 'alice', publicKey: KEY });
      await store.putUser({ name: 'bob', publicKey: KEY.replace('A', 'C') });
      await store.putDevices(record('alice', 1, ['lab', 'laptop'], { lab: 0, laptop: 0 }));
      const first = (await store.append(say('bob', 'alice'))).message;
      const second = (await store.append(say('bob', 'alice'))).message;
      await store.setDeviceAcked('alice', 'laptop', second.seq);
      await store.setDeviceAcked('alice', 'lab', first.seq);
      await store.setDeviceAcked('alice', 'laptop', first.seq);
      // A new list does not move a cursor back, and keeps one it does not name.
      await store.putDevices(record('alice', 2, ['lab', 'laptop'], { lab: 0 }));
      const check = async (s: Store) => assert.deepEqual((await s.listDevices())[0].cursors, { lab: first.seq, laptop: second.seq });
      await check(store);
      if (context.reopen) {
        await context.reopen();
        await check(context.store());
      }
    });

    it("puts a v4 message whose keys name the sender's devices in the sender's mailbox too, and a plain one not", async () => {
      const store = context.store();
      const copied = (await store.append(say('alice', 'bob', { device: 'laptop', keys: [keyBox('bob', 'pc'), keyBox('alice', 'lab')] }))).message;
      const toBobOnly = (await store.append(say('alice', 'bob', { device: 'laptop', keys: [keyBox('bob', 'pc')] }))).message;
      const toSelf = (await store.append(say('alice', 'alice', { device: 'laptop', hidden: true, keys: [keyBox('alice', 'lab')] }))).message;
      const check = async (s: Store) => {
        assert.deepEqual((await s.readMailbox('alice', 0, 10)).map((m) => m.seq), [copied.seq, toSelf.seq]);
        assert.deepEqual((await s.readMailbox('bob', 0, 10)).map((m) => m.seq), [copied.seq, toBobOnly.seq]);
        const read = (await s.readMailbox('alice', 0, 10))[0];
        assert.equal(read.device, 'laptop');
        assert.deepEqual(read.keys, [keyBox('bob', 'pc'), keyBox('alice', 'lab')]);
      };
      await check(store);
      if (context.reopen) {
        await context.reopen();
        await check(context.store());
      }
    });

    it('forgets the devices of a user the operator deletes', async () => {
      const store = context.store();
      await store.putUser({ name: 'alice', publicKey: KEY });
      await store.putDevices(record('alice', 1, ['laptop']));
      await store.deleteUser('alice');
      assert.deepEqual(await store.listDevices(), []);
    });
  });
}
