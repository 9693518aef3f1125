/**
 * Moderation with the client library against the real server (PROTOCOL.md 20.4, 20.7): a
 * teacher's mute, unmute and exam mode through ChatClient, refused sends, and every event the
 * user is told of shown with readable text (never an empty message); and mentions.
 */
import { strict as assert } from 'node:assert';
import type { ChatClient, ReceivedMessage } from '../../src/client';
import { mentionsIn } from '../../src/client/references/mentions';
import { clockTime, noticeText } from '../../src/client/references/notice-text';
import type { Role } from '../../src/protocol/room-frames';
import { dataDirWithRoles, startTestServer, TestServer } from '../helpers/test-server';
import { ClientFleet, collect } from './helpers/client-fleet';
import { until } from './helpers/wait';

async function notice(messages: ReceivedMessage[], kind: string, count = 1): Promise<ReceivedMessage> {
  const matching = () => messages.filter((m) => m.event?.kind === kind);
  await until(() => matching().length >= count, `${kind} event ${count}`);
  return matching()[count - 1];
}

describe('moderation and notices with the client library (real server)', function () {
  this.timeout(30_000);
  let server: TestServer;
  let fleet: ClientFleet;

  async function start(roles: Record<string, Role>): Promise<void> {
    server = await startTestServer({ rateLimit: false, dataDir: await dataDirWithRoles(roles) });
    fleet = new ClientFleet(() => server.port);
  }

  afterEach(async () => {
    await fleet.closeAll();
    await server.close();
  });

  it("mutes a student through the client: the student's next send is refused with muted, and every notice reads as a sentence", async () => {
    await start({ 'mrs.k': 'teacher' });
    const teacher: ChatClient = await fleet.online('mrs.k');
    const alice = await fleet.online('alice');
    const atAlice = collect(alice);

    await teacher.mute('alice', 5);
    const muted = await notice(atAlice, 'muted');
    assert.equal(muted.text, `mrs.k muted you until ${clockTime(muted.event!.until!, Date.now())}`);
    assert.match(muted.text!, /until \d\d:\d\d$/);
    assert.equal(muted.conversation, 'mrs.k');
    await assert.rejects(alice.sendText('*', 'can I still talk?'), { code: 'muted' });
    await teacher.unmute('alice');
    assert.equal((await notice(atAlice, 'unmuted')).text, 'mrs.k unmuted you');
    await alice.sendText('*', 'back again');

    await teacher.setExamMode(true);
    const exam = await notice(atAlice, 'read_only');
    assert.deepEqual([exam.text, exam.conversation, exam.event?.on], ['Exam mode is on: only teachers and TAs can write to Everyone', '*', true]);
    await assert.rejects(alice.sendText('*', 'what is on question 3?'), { code: 'read_only' });
    await teacher.setExamMode(false);
    assert.equal((await notice(atAlice, 'read_only', 2)).text, 'Exam mode is off: everyone can write to Everyone again');

    await assert.rejects(alice.mute('mrs.k', 5), { code: 'forbidden' });
    await assert.rejects(teacher.mute('alice', 0), { code: 'invalid_frame' });

    // A held message that expired: told by "server", in the conversation with the name never registered.
    await server.server.submit('server', { id: 'u-expired-1', to: 'alice', event: { kind: 'undelivered', names: ['frank'], seq: 1 } });
    const undelivered = await notice(atAlice, 'undelivered');
    assert.deepEqual([undelivered.text, undelivered.conversation], ['Not delivered to frank: nobody registered that name within 7 days', 'frank']);
    assert.equal(atAlice.filter((m) => m.text === undefined || m.text === '').length, 0, 'no empty message');

    const history = await alice.history('mrs.k');
    assert.deepEqual(history.messages.filter((m) => m.event).map((m) => m.text?.replace(/until .*/, 'until …')), ['mrs.k muted you until …', 'mrs.k unmuted you']);
  });

  it('words bans for those who see them', () => {
    assert.equal(noticeText('mrs.k', { kind: 'banned', names: ['bob'] }, 'alice', 0), 'mrs.k banned bob');
    assert.equal(noticeText('mrs.k', { kind: 'unbanned', names: ['bob'] }, 'bob', 0), 'mrs.k lifted the ban on you');
  });

  it('finds valid @mentions, normalised, not e-mail addresses', () => {
    assert.deepEqual(mentionsIn('@Bob and @mrs.k. see carol@school.org, @all and @x!'), ['bob', 'mrs.k', 'x']);
    assert.deepEqual(mentionsIn(undefined), []);
  });
});
