/**
 * Rooms in the extension, through the real bundle (dist/extension.js) with a stand-in vscode,
 * against a real server on 127.0.0.1: alice is the extension, bob and mrs.k (a teacher) are
 * client-library users. Input boxes, quick picks and confirmations are answered by the fake.
 */
import { strict as assert } from 'node:assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatClient } from '../../src/client/chat-client';
import { MemoryKeyStore } from '../../src/client/key-store';
import type { Role } from '../../src/protocol/room-frames';
import type { ConversationSummary, HostMessage, MessageView } from '../../webview/protocol';
import { dataDirWithRoles, startTestServer, TestServer } from '../helpers/test-server';
import { until } from '../client/helpers/wait';
import { activateBundle, createFakeVscode, openChatView, ExtensionModule, FakeVscode, FakeWebviewView } from './helpers/fake-vscode';

interface TreeItemLike {
  label: string;
  description?: string;
  contextValue?: string;
  command?: { command: string; arguments?: unknown[] };
}

describe('rooms in the extension (bundle, stand-in vscode, real server)', function () {
  this.timeout(30_000);
  let server: TestServer;
  let fake: FakeVscode;
  let extension: ExtensionModule;
  let work: string;
  let view: FakeWebviewView;
  const clients: ChatClient[] = [];
  const subscriptions: Array<{ dispose(): unknown }> = [];

  /** A server whose store gives these names roles, and alice's extension, not connected yet. */
  async function start(roles: Record<string, Role> = {}): Promise<void> {
    server = await startTestServer({ rateLimit: false, dataDir: await dataDirWithRoles(roles) });
    work = await mkdtemp(join(tmpdir(), 'classchat-ext-rooms-'));
    fake = createFakeVscode({ 'classchat.host': '127.0.0.1', 'classchat.port': server.port, 'classchat.userName': 'alice' });
    extension = activateBundle(fake, subscriptions, join(work, 'storage'));
    view = openChatView(fake);
  }

  afterEach(async () => {
    for (const client of clients.splice(0)) await client.close();
    await extension.deactivate();
    for (const s of subscriptions.splice(0)) s.dispose();
    await server.close();
    await rm(work, { recursive: true, force: true });
  });

  async function client(name: string): Promise<ChatClient> {
    const c = new ChatClient({ host: '127.0.0.1', port: server.port, name, keyStore: new MemoryKeyStore() });
    clients.push(c);
    await c.connect();
    return c;
  }

  async function connectAlice(): Promise<void> {
    await fake.api.commands.executeCommand('classchat.connect');
    assert.equal(fake.context.get('classchat.state'), 'connected', JSON.stringify(fake.shown));
  }

  const tree = () => {
    const provider = fake.trees.get('classchat.classmates')?.treeDataProvider;
    assert.ok(provider);
    return provider;
  };
  const rooms = () => tree().getChildren('#');
  const alice = () => tree().getChildren() as string[];
  const item = (id: string) => tree().getTreeItem(id) as TreeItemLike;

  /** What the chat view was last told of the conversation list. */
  function summaries(): ConversationSummary[] {
    const lists = (view.webview.posted as HostMessage[]).flatMap((m) => (m.type === 'snapshot' || m.type === 'conversations' ? [m.conversations] : []));
    return lists[lists.length - 1] ?? [];
  }
  const summary = (id: string) => summaries().find((s) => s.id === id);

  /** Every message the chat view was shown for `conversation` (latest version of each). */
  function shown(conversation: string): MessageView[] {
    const latest = new Map<string, MessageView>();
    for (const m of view.webview.posted as HostMessage[]) {
      const messages = m.type === 'snapshot' && m.active === conversation ? m.messages : m.type === 'upsert' && m.conversation === conversation ? [m.message] : [];
      for (const message of messages) latest.set(`${message.from}/${message.id}`, message);
    }
    return [...latest.values()];
  }

  it('creates an encrypted room with a classmate: the tree shows it with unread, the panel shows its events, leaving removes it', async () => {
    await start();
    const bob = await client('bob');
    await connectAlice();
    await until(() => rooms().includes('#+'), 'an empty Rooms group');
    assert.deepEqual(tree().getChildren(), ['bob', '#']);

    fake.inputAnswers.push('lab-3');
    fake.pickAnswers.push(['bob']);
    await fake.api.commands.executeCommand('classchat.createRoom');
    assert.deepEqual(fake.shown.filter((s) => s.level === 'error'), []);

    // The name is checked as it is typed, in plain words.
    const validate = fake.inputBoxes[0].validate;
    assert.ok(validate);
    assert.match(validate('Lab 3') ?? '', /a-z, 0-9/);
    assert.match(validate('bob') ?? '', /classmate's name/);
    assert.match(validate('all') ?? '', /reserved/);
    assert.equal(validate('lab-4'), undefined);
    assert.match(validate('#lab-3') ?? '', /#lab-3 already exists/, 'checked against the rooms known now');
    // A student is not asked for kind or encryption: one multi-select of classmates.
    assert.equal(fake.quickPicks.length, 1);
    assert.equal(fake.quickPicks[0].canPickMany, true);
    assert.deepEqual(fake.quickPicks[0].items.map((i) => i.label), ['bob']);

    assert.deepEqual(rooms(), ['#lab-3']);
    assert.match(item('#lab-3').description ?? '', /^encrypted · 2 members$/);
    assert.equal(item('#lab-3').contextValue, 'room.member.group');
    assert.deepEqual(item('#lab-3').command?.arguments, ['#lab-3']);
    assert.deepEqual(summary('#lab-3')?.room, { kind: 'group', encrypted: true, readOnly: false, members: 2, member: true });

    // With Everyone open, bob's message to the room counts as unread in the tree.
    view.webview.received.fire({ type: 'open', conversation: '*' });
    await until(() => bob.rooms().some((r) => r.name === 'lab-3' && r.member), 'bob knows the room');
    await bob.sendToRoom('lab-3', 'hello lab');
    await until(() => /^1 unread · encrypted/.test(item('#lab-3').description ?? ''), 'one unread in #lab-3');
    assert.equal(summary('#lab-3')?.unread, 1);

    // Opening it (as the tree's click does) shows the creation as a system line, then bob's message.
    await fake.api.commands.executeCommand('classchat.openConversation', '#lab-3');
    await until(() => shown('#lab-3').some((m) => m.text === 'hello lab'), "bob's message shown");
    const system = shown('#lab-3').filter((m) => m.system);
    assert.deepEqual(system.map((m) => m.text), ['alice created #lab-3 with bob']);
    assert.equal(shown('#lab-3').find((m) => m.text === 'hello lab')?.encrypted, true);
    assert.equal(item('#lab-3').description, 'encrypted · 2 members');

    // alice answers from the panel: bob reads it.
    const got = new Promise<string | undefined>((resolve) => bob.on('message', (m) => m.to === '#lab-3' && m.from === 'alice' && !m.event && resolve(m.text)));
    view.webview.received.fire({ type: 'send', conversation: '#lab-3', text: 'hi bob' });
    assert.equal(await got, 'hi bob');

    // Leave asks first; after it, the room is gone from the tree and the chips.
    fake.responders.push((text, actions) => (text === 'Leave #lab-3?' && actions.includes('Leave') ? 'Leave' : undefined));
    await fake.api.commands.executeCommand('classchat.leaveRoom', '#lab-3');
    assert.ok(fake.shown.some((s) => s.level === 'warning' && s.text === 'Leave #lab-3?'));
    await until(() => rooms().join() === '#+', 'no rooms after leaving');
    assert.equal(summaries().some((s) => s.id === '#lab-3' && s.room?.member), false);
    assert.match(summary('#lab-3')?.sendBlocked ?? '', /no longer in #lab-3/);
  });

  it("a student joins a teacher's read-only class room from the tree and its composer is off, with the reason", async () => {
    await start({ 'mrs.k': 'teacher' });
    const teacher = await client('mrs.k');
    await teacher.createRoom('announcements', { kind: 'class', encrypted: false, readOnly: true, members: [] });
    await connectAlice();
    await until(() => rooms().includes('#announcements'), 'the class room listed');
    assert.equal(item('#announcements').contextValue, 'room.joinable');
    assert.match(item('#announcements').description ?? '', /not encrypted · read-only · not joined/);

    await fake.api.commands.executeCommand('classchat.joinRoom', '#announcements');
    await until(() => summary('#announcements')?.room?.member === true, 'joined');
    assert.equal(item('#announcements').contextValue, 'room.member.class');
    assert.match(summary('#announcements')?.sendBlocked ?? '', /Only teachers and TAs post in #announcements/);
    assert.equal(summary('#announcements')?.room?.encrypted, false);

    const announcement = await teacher.sendToRoom('announcements', 'exam on friday');
    assert.ok(announcement.seq > 0);
    await until(() => shown('#announcements').some((m) => m.text === 'exam on friday'), 'the announcement shown');
    assert.ok(shown('#announcements').some((m) => m.system && m.text === 'alice joined'), JSON.stringify(shown('#announcements')));
  });

  it('a teacher creating a room chooses class, not encrypted and read-only', async () => {
    await start({ alice: 'teacher' });
    const bob = await client('bob');
    await connectAlice();
    await until(() => rooms().includes('#+'), 'the Rooms group');
    fake.inputAnswers.push('section-a');
    fake.pickAnswers.push('Class room', 'Not encrypted', 'Read-only', []);
    await fake.api.commands.executeCommand('classchat.createRoom');
    assert.deepEqual(fake.shown.filter((s) => s.level === 'error'), []);
    assert.deepEqual(fake.quickPicks.map((p) => p.title), [
      'ClassChat: what kind of room is #section-a?',
      'ClassChat: encrypt #section-a?',
      'ClassChat: who posts in #section-a?',
      'ClassChat: who is in #section-a?',
    ]);
    const [room] = await bob.listRooms();
    assert.deepEqual([room.name, room.kind, room.encrypted, room.readOnly, room.member], ['section-a', 'class', false, true, false]);
    // The teacher may post in it.
    assert.equal(summary('#section-a')?.sendBlocked, undefined);
  });

  it('says in plain words why a room request was refused', async () => {
    await start();
    await client('bob');
    await connectAlice();
    await until(() => rooms().includes('#+'), 'the Rooms group');
    await fake.api.commands.executeCommand('classchat.joinRoom', '#nowhere');
    await until(() => fake.shown.some((s) => s.level === 'error'), 'an error shown');
    assert.deepEqual(
      fake.shown.filter((s) => s.level === 'error').map((s) => s.text),
      ['ClassChat: Could not join #nowhere: there is no such room, or it is a group room you are not in.'],
    );
  });

  it('lets a teacher mute a student and turn exam mode on from Moderate…; a student is told who can', async () => {
    await start({ alice: 'teacher' });
    const bob = await client('bob');
    await connectAlice();
    await until(() => alice().some((c) => c === 'bob'), 'bob in the tree');
    fake.pickAnswers.push('Mute a student…', 'bob');
    fake.inputAnswers.push('5');
    await fake.api.commands.executeCommand('classchat.moderate');
    assert.deepEqual(fake.shown.filter((s) => s.level === 'error'), []);
    assert.ok(fake.shown.some((s) => s.text === 'ClassChat: muted bob for 5 minutes.'), JSON.stringify(fake.shown));
    assert.equal(fake.inputBoxes[0].validate?.('0'), 'Type whole minutes, 1-10080 (a week).');
    await assert.rejects(bob.sendText('*', 'can I still talk?'), (error: { code?: string }) => error.code === 'muted');
    fake.pickAnswers.push('Unmute a student…', 'bob', 'Exam mode on');
    await fake.api.commands.executeCommand('classchat.moderate');
    await fake.api.commands.executeCommand('classchat.moderate');
    await assert.rejects(bob.sendText('*', 'answer 3 is b'), (error: { code?: string }) => error.code === 'read_only');
    await bob.sendText('alice', 'may I leave early?');
  });

  it('tells a student that only teachers and TAs moderate, sending nothing', async () => {
    await start();
    await client('bob');
    await connectAlice();
    await fake.api.commands.executeCommand('classchat.moderate');
    assert.equal(fake.quickPicks.length, 0);
    assert.ok(fake.shown.some((s) => s.level === 'info' && /only teachers and TAs moderate/.test(s.text)), JSON.stringify(fake.shown));
  });
});
