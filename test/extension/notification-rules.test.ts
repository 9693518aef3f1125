import { strict as assert } from 'node:assert';
import { classmateItem } from '../../src/extension/classmate-items';
import { Arrival, doNotDisturbUntil, NotifyContext, notificationText, notifyDecision } from '../../src/extension/notification-rules';
import { DO_NOT_DISTURB_KEY, DoNotDisturb, MutedConversations, mutedKeyName, QuietClock } from '../../src/extension/quiet-state';
import { roomItems } from '../../src/extension/room-items';
import { readNotificationLevel, SettingsError } from '../../src/extension/settings';

const quiet: NotifyContext = { level: 'mentionsAndPrivate', muted: false, doNotDisturb: false, seen: false, alreadyShowing: false };
const from = (kind: Arrival['kind'], mentionsMe = false): Arrival => ({ kind, mentionsMe });

/** A Memento in memory. */
function memento(initial: Record<string, unknown> = {}) {
  const values = new Map(Object.entries(initial));
  return { values, get: (key: string) => values.get(key), update: async (key: string, value: unknown) => void values.set(key, value) };
}

/** A clock the test moves by hand; timers fire when it passes them. */
function fakeClock(start: number) {
  let now = start;
  const timers: Array<{ at: number; callback: () => void; cancelled: boolean }> = [];
  const clock: QuietClock & { advance(ms: number): void; pending(): number } = {
    now: () => now,
    setTimer: (callback, ms) => {
      const timer = { at: now + ms, callback, cancelled: false };
      timers.push(timer);
      return { cancel: () => void (timer.cancelled = true) };
    },
    advance(ms) {
      now += ms;
      for (const timer of timers.filter((t) => !t.cancelled && t.at <= now)) {
        timer.cancelled = true;
        timer.callback();
      }
    },
    pending: () => timers.filter((t) => !t.cancelled).length,
  };
  return clock;
}

describe('notification rules', () => {
  it('by default notifies private messages, group rooms and mentions, not Everyone or class rooms', () => {
    assert.equal(notifyDecision(from('private'), quiet), 'notify');
    assert.equal(notifyDecision(from('groupRoom'), quiet), 'notify');
    assert.equal(notifyDecision(from('everyone'), quiet), 'notAtThisLevel');
    assert.equal(notifyDecision(from('classRoom'), quiet), 'notAtThisLevel');
    assert.equal(notifyDecision(from('everyone', true), quiet), 'notify');
    assert.equal(notifyDecision(from('classRoom', true), quiet), 'notify');
  });

  it('"all" notifies everything, "none" nothing, mentions included', () => {
    for (const kind of ['everyone', 'private', 'groupRoom', 'classRoom'] as const) {
      assert.equal(notifyDecision(from(kind), { ...quiet, level: 'all' }), 'notify', kind);
      assert.equal(notifyDecision(from(kind, true), { ...quiet, level: 'none' }), 'off', kind);
    }
  });

  it('a muted conversation is quiet except for a mention; do-not-disturb silences mentions too', () => {
    assert.equal(notifyDecision(from('private'), { ...quiet, muted: true }), 'muted');
    assert.equal(notifyDecision(from('everyone'), { ...quiet, level: 'all', muted: true }), 'muted');
    assert.equal(notifyDecision(from('private', true), { ...quiet, muted: true }), 'notify');
    assert.equal(notifyDecision(from('private', true), { ...quiet, doNotDisturb: true }), 'doNotDisturb');
    assert.equal(notifyDecision(from('private'), { ...quiet, level: 'all', doNotDisturb: true }), 'doNotDisturb');
  });

  it('stays quiet while the chat is in view, and shows one notification per conversation at a time', () => {
    assert.equal(notifyDecision(from('private', true), { ...quiet, seen: true }), 'seen');
    assert.equal(notifyDecision(from('private'), { ...quiet, alreadyShowing: true }), 'alreadyShowing');
  });

  it('names the room (or Everyone) a message came in, not only its sender', () => {
    assert.equal(notificationText({ id: 'bob', kind: 'private' }, 'bob', 'hi', 120), 'ClassChat — bob: hi');
    assert.equal(notificationText({ id: '#lab-3', kind: 'groupRoom' }, 'bob', 'hi', 120), 'ClassChat — bob in #lab-3: hi');
    assert.equal(notificationText({ id: '*', kind: 'everyone' }, 'bob', '@alice look', 120), 'ClassChat — bob in Everyone: @alice look');
    assert.equal(notificationText({ id: '#lab-3', kind: 'classRoom' }, 'bob', 'x'.repeat(200), 10), `ClassChat — bob in #lab-3: ${'x'.repeat(10)}…`);
    assert.equal(notificationText({ id: 'bob', kind: 'private' }, 'bob', undefined, 120), 'ClassChat — bob: sent you a message');
  });

  it('computes when do-not-disturb ends: minutes from now, or 08:00 local time the next day', () => {
    const now = new Date(2026, 2, 10, 22, 15).getTime();
    assert.equal(doNotDisturbUntil('30m', now), now + 30 * 60_000);
    assert.equal(doNotDisturbUntil('1h', now), now + 60 * 60_000);
    assert.equal(doNotDisturbUntil('2h', now), now + 120 * 60_000);
    assert.equal(doNotDisturbUntil('tomorrow', now), new Date(2026, 2, 11, 8, 0).getTime());
    // Just after midnight, "tomorrow" is still the next calendar day.
    assert.equal(doNotDisturbUntil('tomorrow', new Date(2026, 11, 31, 0, 30).getTime()), new Date(2027, 0, 1, 8, 0).getTime());
    assert.equal(doNotDisturbUntil('off', now), undefined);
  });
});

describe('notification settings', () => {
  const get = (values: Record<string, unknown>) => (key: string) => values[key];

  it('reads classchat.notifications, the old true/false included, and names the setting when it is wrong', () => {
    assert.equal(readNotificationLevel(get({})), 'mentionsAndPrivate');
    assert.equal(readNotificationLevel(get({ notifications: 'all' })), 'all');
    assert.equal(readNotificationLevel(get({ notifications: 'none' })), 'none');
    assert.equal(readNotificationLevel(get({ notifications: true })), 'mentionsAndPrivate');
    assert.equal(readNotificationLevel(get({ notifications: false })), 'none');
    for (const bad of ['loud', 3, ['all']]) {
      assert.throws(
        () => readNotificationLevel(get({ notifications: bad })),
        (error: unknown) => error instanceof SettingsError && error.setting === 'classchat.notifications' && /"mentionsAndPrivate", "all", "none"/.test(error.message),
      );
    }
  });
});

describe('muted conversations and do-not-disturb (stored state)', () => {
  it('keeps muted conversations per server and user, drops damaged entries, refuses a bad id', async () => {
    const store = memento({ [mutedKeyName('Host:5050', 'alice')]: ['bob', '#lab-3', 42, 'NOT OK', '*'] });
    const muted = new MutedConversations(store, mutedKeyName('host:5050', 'alice'));
    assert.deepEqual(muted.list(), ['bob', '#lab-3', '*']);
    let changes = 0;
    muted.onChange(() => changes++);
    await muted.set('carol', true);
    await muted.set('bob', false);
    await muted.set('bob', false);
    assert.equal(changes, 2);
    assert.deepEqual(store.values.get('classchat.muted/host:5050/alice'), ['#lab-3', '*', 'carol']);
    await assert.rejects(muted.set('__proto__!', true), RangeError);
    assert.equal(new MutedConversations(store, mutedKeyName('host:5050', 'bob')).has('carol'), false, 'another user');
    assert.equal(new MutedConversations(memento({ [mutedKeyName('h:1', 'a')]: { bob: true } }), mutedKeyName('h:1', 'a')).list().length, 0);
  });

  it('ends do-not-disturb by itself at its time, and tells its listeners', async () => {
    const clock = fakeClock(1_000_000);
    const store = memento();
    const dnd = new DoNotDisturb(store, clock);
    const seen: boolean[] = [];
    dnd.onChange(() => seen.push(dnd.active));
    await dnd.set(clock.now() + 30 * 60_000);
    assert.equal(dnd.active, true);
    assert.deepEqual(store.values.get(DO_NOT_DISTURB_KEY), { until: 1_000_000 + 30 * 60_000 });
    clock.advance(30 * 60_000 - 1);
    assert.equal(dnd.active, true);
    clock.advance(1);
    assert.equal(dnd.active, false);
    assert.equal(dnd.until, undefined);
    assert.deepEqual(seen, [true, false]);
    assert.equal(store.values.get(DO_NOT_DISTURB_KEY), undefined);
    assert.equal(clock.pending(), 0);
  });

  it('restores a do-not-disturb that has not ended yet, forgets one that has, and turns off on request', async () => {
    const clock = fakeClock(5_000);
    const later = new DoNotDisturb(memento({ [DO_NOT_DISTURB_KEY]: { until: 9_000 } }), clock);
    assert.equal(later.active, true);
    assert.equal(new DoNotDisturb(memento({ [DO_NOT_DISTURB_KEY]: { until: 4_000 } }), clock).active, false);
    assert.equal(new DoNotDisturb(memento({ [DO_NOT_DISTURB_KEY]: 'soon' }), clock).active, false);
    await later.set(undefined);
    assert.equal(later.active, false);
    assert.equal(clock.pending(), 0);
    later.dispose();
  });

  it('re-arms a timer that cannot wait the whole way (setTimeout stops at about 24.8 days)', async () => {
    const clock = fakeClock(0);
    const dnd = new DoNotDisturb(memento(), clock);
    const month = 30 * 24 * 3600_000;
    await dnd.set(month);
    clock.advance(2_147_483_647);
    assert.equal(dnd.active, true, 'still on after the first timer');
    clock.advance(month - 2_147_483_647);
    assert.equal(dnd.active, false);
  });

  it('shows muted classmates and rooms in the tree, with menus that offer Unmute', () => {
    const bob = { name: 'bob', online: true, hasKey: true, unread: 2, key: 'pinned' as const };
    const item = classmateItem(bob, true);
    assert.equal(item.description, '2 unread · 🔕 muted');
    assert.equal(item.contextValue, 'classmate.online.pinned.muted');
    assert.match(item.tooltip, /Muted: no notifications/);
    assert.equal(classmateItem(bob).contextValue, 'classmate.online.pinned');
    const room = { name: 'lab-3', kind: 'group' as const, encrypted: true, readOnly: false, owner: 'alice', members: ['alice', 'bob'], member: true };
    const [muted] = roomItems([room], [], () => 0, (id) => id === '#lab-3');
    assert.equal(muted.contextValue, 'room.member.group.muted');
    assert.match(muted.description, /🔕 muted$/);
    assert.equal(roomItems([room], [], () => 0)[0].contextValue, 'room.member.group');
  });
});

describe('Mute / Unmute in the Classmates tree menus', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const manifest = require('../../../package.json') as { contributes: { menus: Record<string, Array<{ command: string; when: string }>> } };
  const items = manifest.contributes.menus['view/item/context'];
  /** The `viewItem =~ /re/` of a command's tree menu entry. */
  const viewItemPattern = (command: string) => {
    const entry = items.find((e) => e.command === command);
    assert.ok(entry, command);
    const match = /viewItem =~ \/(.+?)\/(?: |$)/.exec(entry.when);
    assert.ok(match, entry.when);
    return new RegExp(match[1]);
  };

  it('offers Mute on classmates and rooms not muted, Unmute on muted ones, and keeps the other menus on muted items', () => {
    const mute = viewItemPattern('classchat.muteConversation');
    const unmute = viewItemPattern('classchat.unmuteConversation');
    const cases: Array<[string, boolean, boolean]> = [
      ['classmate.online.pinned', true, false],
      ['classmate.offline.verified.muted', false, true],
      ['room.member.group', true, false],
      ['room.member.class.muted', false, true],
      ['room.joinable', false, false],
      ['rooms', false, false],
    ];
    for (const [viewItem, canMute, canUnmute] of cases) {
      assert.equal(mute.test(viewItem), canMute, `mute ${viewItem}`);
      assert.equal(unmute.test(viewItem), canUnmute, `unmute ${viewItem}`);
    }
    const verify = items.filter((e) => e.command === 'classchat.verifyKey').map((e) => new RegExp(/viewItem =~ \/(.+?)\/(?: |$)/.exec(e.when)?.[1] ?? '^$'));
    assert.ok(verify.every((re) => re.test('classmate.online.pinned.muted')), 'Verify stays on a muted classmate');
  });
});
