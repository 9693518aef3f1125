import { strict as assert } from 'node:assert';
import type { ClientLink, MessageKeys, RoomTraffic } from '../../src/client/client-services';
import { ReceivedReferences } from '../../src/client/references/received-references';
import { Conversations } from '../../src/client/conversations';
import { Roster } from '../../src/client/roster';
import type { ChatClientEvents, ReceivedMessage, RosterEntry } from '../../src/client/types';
import type { ChatMessage, ClientFrame, UserInfo } from '../../src/protocol/frames';
import { FakeClock } from './helpers/fake-clock';

/** ChatClient's parts run on the narrow views of client-services.ts alone: here, fakes of them. */

class FakeLink implements ClientLink {
  readonly me = 'alice';
  readonly clock = new FakeClock();
  readonly requestTimeoutMs = 1000;
  readonly frames: ClientFrame[] = [];
  ready = true;
  connected = true;
  congested = false;
  send(frame: ClientFrame): boolean {
    if (this.ready) this.frames.push(frame);
    return this.ready;
  }
  sendChunk(): boolean {
    return this.ready;
  }
  checkOpen(): void {}
}

const plainKeys: MessageKeys = {
  canSeal: false,
  isPinned: () => false,
  seal: () => assert.fail('nothing private is sealed here'),
  sealContent: () => assert.fail('nothing private is sealed here'),
  sealText: () => assert.fail('nothing private is sealed here'),
  view: (message: ChatMessage): ReceivedMessage => ({ ...message, encrypted: false, trust: 'not_encrypted' }),
};

const noRooms: RoomTraffic = {
  encrypted: () => undefined,
  seal: () => assert.fail('no room here'),
  sealContent: () => assert.fail('no room here'),
  view: () => assert.fail('no room here'),
  onHidden: () => assert.fail('no room here'),
};

function recorder(): { events: Array<[string, ...unknown[]]>; emit: <E extends keyof ChatClientEvents>(event: E, ...args: ChatClientEvents[E]) => void } {
  const events: Array<[string, ...unknown[]]> = [];
  return { events, emit: (event, ...args) => events.push([event, ...args]) };
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('ChatClient parts on their narrow views', () => {
  it('Conversations shows each seq once and acknowledges it on the next turn', async () => {
    const link = new FakeLink();
    const { events, emit } = recorder();
    const conversations = new Conversations({}, { link, keys: plainKeys, attachments: { describe: () => undefined }, rooms: noRooms, roster: new Map(), references: new ReceivedReferences('alice'), blocked: () => false, emit });
    const message: ChatMessage = { type: 'msg', seq: 5, id: 'm1', from: 'bob', to: '*', ts: 1, text: 'hi' };
    conversations.onFrame(message);
    conversations.onFrame(message);
    await nextTurn();
    assert.deepEqual(events.map(([name]) => name), ['message']);
    assert.deepEqual(link.frames, [{ type: 'ack', seq: 5 }]);
    assert.equal(conversations.lastSeenSeq, 5);
  });

  it('Conversations asks for a history page through the link and settles it from history_page', async () => {
    const link = new FakeLink();
    const conversations = new Conversations({}, { link, keys: plainKeys, attachments: { describe: () => undefined }, rooms: noRooms, roster: new Map(), references: new ReceivedReferences('alice'), blocked: () => false, emit: () => undefined });
    const page = conversations.history('*', { limit: 10 });
    const request = link.frames[0];
    assert.ok(request?.type === 'history');
    conversations.onFrame({ type: 'history_page', rid: request.rid, with: '*', more: false, messages: [{ type: 'msg', seq: 2, id: 'm2', from: 'bob', to: '*', ts: 1, text: 'old' }] });
    const settled = await page;
    assert.deepEqual(settled.messages.map((message) => message.text), ['old']);
    link.ready = false;
    assert.throws(() => conversations.history('*'), { code: 'not_connected' });
  });

  it('Roster passes each key report on with the key reported before it, then tells listeners', () => {
    const observed: Array<[string, string | null | undefined]> = [];
    const { events, emit } = recorder();
    const roster = new Roster({ observe: (user, previousKey) => observed.push([user.name, previousKey]), emit });
    const bob: UserInfo = { name: 'bob', publicKey: 'K1', online: true };
    roster.loggedIn([bob]);
    roster.onPresence({ ...bob, publicKey: 'K2', online: false });
    assert.deepEqual(observed, [['bob', undefined], ['bob', 'K1']]);
    assert.deepEqual(roster.entries.get('bob'), { publicKey: 'K2', online: false } satisfies RosterEntry);
    assert.deepEqual(events.map(([name]) => name), ['presence', 'roster']);
  });
});
