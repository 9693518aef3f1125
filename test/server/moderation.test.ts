/**
 * Moderation over the raw protocol (PROTOCOL.md 20.4): a teacher or TA mutes, bans and turns
 * Everyone read-only; students are refused; each action is told to those affected and survives a
 * restart.
 */
import { strict as assert } from 'node:assert';
import type { Role } from '../../src/protocol/room-frames';
import { LogStore } from '../../src/server/store/log-store';
import { PlainClient } from '../helpers/plain-client';
import { RawClient } from '../helpers/raw-client';
import { makeDataDir, startTestServer, TestServer } from '../helpers/test-server';

describe('moderation', () => {
  let server: TestServer;
  let dataDir: string;
  const clients: Array<{ close(): void }> = [];
  const identities = new Map<string, Awaited<ReturnType<typeof RawClient.login>>['identity']>();
  let next = 0;

  async function start(roles: Record<string, Role>): Promise<void> {
    dataDir = await makeDataDir();
    const store = new LogStore({ dataDir });
    await store.open();
    for (const [name, role] of Object.entries(roles)) await store.setRole(name, role);
    await store.close();
    server = await startTestServer({ rateLimit: false, dataDir });
  }

  async function login(name: string) {
    const result = await RawClient.login(server.port, name, identities.get(name), { v: 3 });
    identities.set(name, result.identity);
    clients.push(result.client);
    return result.client;
  }

  async function moderate(client: RawClient, fields: Record<string, unknown>) {
    const rid = `m${++next}`;
    client.send({ type: 'moderate', rid, ...fields });
    return client.waitFor(() => client.all('done').find((f) => f.rid === rid) ?? client.all('error').find((f) => f.rid === rid), `the answer to ${rid}`);
  }

  async function say(client: RawClient, to: string, text: string) {
    const id = `s${++next}`;
    client.send({ type: 'send', id, to, text });
    return client.waitFor(() => client.all('sent').find((f) => f.id === id) ?? client.all('error').find((f) => f.id === id), `the answer to ${id}`);
  }

  afterEach(async () => {
    identities.clear();
    for (const client of clients.splice(0)) client.close();
    await server.close();
  });

  it('lets a TA mute a student for some minutes, refusing the student until unmuted', async () => {
    await start({ tim: 'ta' });
    const tim = await login('tim');
    const sam = await login('sam');
    const student = await moderate(sam, { action: 'mute', name: 'tim', minutes: 5 });
    assert.deepEqual(student.type === 'error' && student.code, 'forbidden');
    assert.equal((await moderate(tim, { action: 'mute', name: 'sam', minutes: 5 })).type, 'done');
    const told = await sam.next('msg', (m) => m.event?.kind === 'muted');
    assert.ok(told.event?.until !== undefined && told.event.until > Date.now() + 4 * 60_000);
    const refused = await say(sam, '*', 'hello?');
    assert.deepEqual(refused.type === 'error' && [refused.code, /until/.test(refused.message)], ['muted', true]);
    assert.equal((await say(sam, 'tim', 'please')).type, 'error', 'a mute covers private messages too');
    assert.equal((await moderate(tim, { action: 'unmute', name: 'sam' })).type, 'done');
    assert.equal((await say(sam, '*', 'thanks')).type, 'sent');
  });

  it('answers a resend of a message stored before a mute, exam mode or a removal with its sent (duplicate), never an error', async () => {
    // An error means "not stored" (section 6): a client whose `sent` was lost would think the message failed.
    await start({ 'mrs.k': 'teacher' });
    const teacher = await login('mrs.k');
    const sam = await login('sam');
    const first = await say(sam, '*', 'stored before the mute');
    assert.equal(first.type, 'sent');
    const rid = `m${++next}`;
    sam.send({ type: 'room_create', rid, room: 'lab', kind: 'group', encrypted: true, members: ['mrs.k'] });
    await sam.waitFor(() => sam.all('room').find((f) => f.rid === rid), 'the room');
    const box = { nonce: Buffer.alloc(24, 1).toString('base64'), ciphertext: Buffer.alloc(48, 2).toString('base64') };
    sam.send({ type: 'send', id: 'in-lab', to: '#lab', box });
    const inLab = await sam.waitFor(() => sam.all('sent').find((f) => f.id === 'in-lab') ?? sam.all('error').find((f) => f.id === 'in-lab'), 'the room message');
    assert.equal(inLab.type, 'sent');
    await moderate(teacher, { action: 'read_only', on: true });
    await moderate(teacher, { action: 'mute', name: 'sam', minutes: 5 });
    const removal = `m${++next}`;
    teacher.send({ type: 'room_remove', rid: removal, room: 'lab', name: 'sam' });
    await teacher.waitFor(() => teacher.all('room').find((f) => f.rid === removal), 'the removal');
    const resends = sam.all('sent').length;
    sam.send({ type: 'send', id: first.type === 'sent' ? first.id : '', to: '*', text: 'stored before the mute' });
    sam.send({ type: 'send', id: 'in-lab', to: '#lab', box });
    const answers = await sam.waitFor(() => (sam.all('sent').length >= resends + 2 ? sam.all('sent').slice(resends) : sam.all('error').find((f) => f.id !== undefined)), 'answers to the resends');
    assert.ok(Array.isArray(answers), `a resend was refused: ${JSON.stringify(answers)}`);
    assert.deepEqual(answers.map((f) => [f.id, f.seq, f.duplicate]), [[first.type === 'sent' ? first.id : '', first.type === 'sent' ? first.seq : 0, true], ['in-lab', inLab.type === 'sent' ? inLab.seq : 0, true]]);
    assert.deepEqual((await say(sam, '*', 'a new one')).type === 'error', true, 'new messages are still refused');
  });

  it('turns Everyone read-only for students (exam mode) and back, told to everyone, also in plain text', async () => {
    await start({ 'mrs.k': 'teacher' });
    const teacher = await login('mrs.k');
    const sam = await login('sam');
    const pat = await PlainClient.open(server.port);
    clients.push(pat);
    pat.write('pat\n');
    await pat.waitForText('Welcome [pat]');
    await moderate(teacher, { action: 'read_only', on: true });
    await sam.next('msg', (m) => m.event?.kind === 'read_only' && m.event.on === true);
    const mark = await pat.waitForText('[server] mrs.k made Everyone read-only');
    const refused = await say(sam, '*', 'answer 3 is b');
    assert.deepEqual(refused.type === 'error' && refused.code, 'read_only');
    pat.write('all:answer 3 is b\n');
    await pat.waitForText('Message not sent: Only teachers and TAs can write here right now.', mark);
    assert.equal((await say(sam, 'mrs.k', 'may I leave early?')).type, 'sent', 'private messages still go');
    assert.equal((await say(teacher, '*', '10 minutes left')).type, 'sent');
    await moderate(teacher, { action: 'read_only', on: false });
    assert.equal((await say(sam, '*', 'done!')).type, 'sent');
  });

  it('bans a name: its sessions close, its logins are refused, even after a restart, until unbanned', async () => {
    await start({ 'mrs.k': 'teacher' });
    const teacher = await login('mrs.k');
    const troll = await login('troll');
    await moderate(teacher, { action: 'ban', name: 'troll' });
    assert.equal((await troll.next('error')).code, 'banned');
    await troll.waitClosed();
    for (const client of clients.splice(0)) client.close();
    await server.stop();
    server = await startTestServer({ rateLimit: false, dataDir });
    const again = await RawClient.open(server.port);
    clients.push(again);
    await again.sendLogin('troll', identities.get('troll')!);
    assert.equal((await again.next('error')).code, 'banned');
    const teacher2 = await login('mrs.k');
    assert.deepEqual((await moderate(teacher2, { action: 'mute', name: 'mrs.k', minutes: 1 })).type === 'error', true, 'staff cannot be moderated');
    await moderate(teacher2, { action: 'unban', name: 'troll' });
    const back = await login('troll');
    assert.ok(back);
    assert.equal((await moderate(teacher2, { action: 'ban', name: 'nobody' })).type, 'error');
    void teacher;
  });
});
