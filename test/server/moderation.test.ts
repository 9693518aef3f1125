/**
 * Moderation over the raw protocol (PROTOCOL.md 20.4): a teacher or TA mutes, bans and turns
 * Everyone read-only; students are refused; each action is told to those affected and survives a
 * restart.
 */
import { strict as assert } from 'node:assert';
import type { Role } from '../../src/protocol/room-frames';
import { PlainClient } from '../helpers/plain-client';
import { RawClient } from '../helpers/raw-client';
import { V3Harness } from '../helpers/v3-harness';

describe('moderation', () => {
  const harness = new V3Harness();
  const start = (roles: Record<string, Role>) => harness.start(roles);
  const login = (name: string) => harness.login(name);
  const server = () => harness.server;
  const moderate = (client: RawClient, fields: Record<string, unknown>) => harness.request(client, { type: 'moderate', ...fields }, 'done');
  const say = (client: RawClient, to: string, text: string) => harness.send(client, to, { text });

  afterEach(() => harness.close());

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
    assert.equal((await harness.request(sam, { type: 'room_create', room: 'lab', kind: 'group', encrypted: true, members: ['mrs.k'] }, 'room')).type, 'room');
    const box = { nonce: Buffer.alloc(24, 1).toString('base64'), ciphertext: Buffer.alloc(48, 2).toString('base64') };
    const inLab = await harness.send(sam, '#lab', { id: 'in-lab', box });
    assert.equal(inLab.type, 'sent');
    await moderate(teacher, { action: 'read_only', on: true });
    await moderate(teacher, { action: 'mute', name: 'sam', minutes: 5 });
    assert.equal((await harness.request(teacher, { type: 'room_remove', room: 'lab', name: 'sam' }, 'room')).type, 'room');
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
    const pat = await PlainClient.open(server().port);
    harness.track(pat);
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
    harness.closeClients();
    const dataDir = server().dataDir;
    await server().stop();
    await harness.start({}, { dataDir });
    const again = await RawClient.open(server().port);
    harness.track(again);
    await again.sendLogin('troll', harness.identityOf('troll')!);
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
