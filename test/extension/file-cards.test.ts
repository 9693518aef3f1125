/**
 * File cards kept by ChatSession (no vscode) against a real server: a card appears once per
 * offer, and a reloaded conversation shows where each transfer really ended.
 */
import { strict as assert } from 'node:assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatClient } from '../../src/client/chat-client';
import { MemoryKeyStore } from '../../src/client/key-store';
import { ChatSession } from '../../src/extension/chat-session';
import type { MessageView } from '../../webview/protocol';
import { startTestServer, TestServer } from '../helpers/test-server';
import { until } from '../client/helpers/wait';

describe('file cards in the conversations (ChatSession, real server)', function () {
  this.timeout(20_000);
  let server: TestServer;
  let work: string;
  const open: Array<{ close(): Promise<void> }> = [];

  beforeEach(async () => {
    server = await startTestServer({ rateLimit: false });
    work = await mkdtemp(join(tmpdir(), 'classchat-cards-'));
  });

  afterEach(async () => {
    for (const thing of open.splice(0)) await thing.close();
    await server.close();
    await rm(work, { recursive: true, force: true });
  });

  async function session(name: string, keyStore = new MemoryKeyStore()): Promise<ChatSession> {
    const s = new ChatSession({ host: '127.0.0.1', port: server.port, name, keyStore });
    open.push(s);
    await s.connect();
    return s;
  }

  async function client(name: string): Promise<ChatClient> {
    const c = new ChatClient({ host: '127.0.0.1', port: server.port, name, keyStore: new MemoryKeyStore() });
    open.push(c);
    await c.connect();
    return c;
  }

  async function source(name: string, text: string): Promise<string> {
    const path = join(work, name);
    await writeFile(path, text);
    return path;
  }

  const fileMessages = (s: ChatSession, conversation: string): MessageView[] => s.conversations.messages(conversation).filter((m) => m.file);

  it('shows our offer once, as a card, even after history brings the same message back', async () => {
    await client('bob');
    const alice = await session('alice');
    await until(() => alice.conversations.classmates().some((c) => c.name === 'bob' && c.online), 'bob online');
    const upload = await alice.sendFile('bob', await source('a.txt', 'hello'));
    await upload.done;
    await until(() => fileMessages(alice, 'bob')[0]?.file?.state === 'offered', 'waiting for bob');
    await alice.loadHistory('bob');
    const cards = fileMessages(alice, 'bob');
    assert.equal(cards.length, 1);
    assert.deepEqual(cards[0].file, { file: upload.file, name: 'a.txt', size: 5, direction: 'outgoing', peer: 'bob', state: 'offered' });
    assert.equal(cards[0].mine, true);
    assert.equal(cards[0].id, upload.offer?.id);
  });

  it('shows a file received in an earlier session as saved, not as a new offer', async () => {
    const keys = new MemoryKeyStore();
    const first = await session('alice', keys);
    const bob = await client('bob');
    const offered = new Promise<string>((resolve) => first.once('fileOffer', (offer) => resolve(offer.file)));
    await bob.sendFile('alice', await source('r.txt', 'report'));
    const file = await offered;
    assert.equal(fileMessages(first, 'bob')[0]?.file?.state, 'offered');
    const download = await first.acceptFile(file, work, 'saved.txt');
    assert.equal(await download.done, join(work, 'saved.txt'));
    await until(() => fileMessages(first, 'bob')[0]?.file?.state === 'done', 'card done');
    await first.close();

    // A new session (VS Code restarted): history shows the offer, the server's list says delivered.
    const announced: string[] = [];
    const again = new ChatSession({ host: '127.0.0.1', port: server.port, name: 'alice', keyStore: keys });
    open.push(again);
    again.on('fileOffer', (offer) => announced.push(offer.file));
    await again.connect();
    await again.loadHistory('bob');
    await until(() => fileMessages(again, 'bob')[0]?.file?.state === 'done', 'the reloaded card says saved');
    assert.deepEqual(announced, [], 'not announced again');
  });
});
