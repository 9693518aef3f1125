/**
 * The raw-protocol fuzz's checks of references at quiescence (PROTOCOL.md 20.5): every user's
 * view (the messages delivered to them and their own, with the delivered edits and deletes
 * applied) and every conversation's `history` show each message in the model's final state, and
 * no deleted text or box is left anywhere in the data directory once the store settles.
 */
import type { ChatMessage } from '../../src/protocol/frames';
import { LIMITS } from '../../src/protocol/limits';
import { EVERYONE, ROOM_PREFIX } from '../../src/protocol/names';
import type { DeliveryLedger, SentRecord } from './delivery-ledger';
import type { RawUser } from './raw-user';
import { applyReference, conversationOf, erasedContent, finalStates, isAnnotation, MessageState, RefRecord, stateDifference } from './refs-model';

type Acked = SentRecord & { ackedSeq: number };

const toRefRecord = (record: Acked): RefRecord => ({ seq: record.ackedSeq, from: record.from, id: record.id, to: record.to, text: record.text, box: record.box, ref: record.ref });

function count(ledger: DeliveryLedger, what: string, by = 1): void {
  ledger.refCounts[what] = (ledger.refCounts[what] ?? 0) + by;
}

/**
 * Each user's view against the model, for every message they have whose every edit and delete
 * is theirs to get (a user removed from a room legitimately misses the later ones).
 */
export function checkViews(ledger: DeliveryLedger): void {
  const acked = ledger.acknowledgedRecords();
  const states = finalStates(acked.map(toRefRecord));
  const changes = new Map<number, Acked[]>();
  for (const record of acked) {
    if (record.ref && (record.ref.rel === 'edit' || record.ref.rel === 'delete')) changes.set(record.ref.seq, [...(changes.get(record.ref.seq) ?? []), record]);
  }
  for (const user of ledger.users) {
    const seen: RefRecord[] = acked.filter((record) => record.from === user).map(toRefRecord);
    for (const delivery of ledger.shownTo(user)) {
      if (delivery.event === undefined) seen.push({ seq: delivery.seq, from: delivery.from, id: delivery.id, to: delivery.to, text: delivery.text, box: delivery.box, ref: delivery.ref });
    }
    const view = new Map<number, MessageState>();
    for (const record of seen.sort((a, b) => a.seq - b.seq)) applyReference(view, record);
    // A message delivered after it changed says so itself (its edit or delete may be out of reach).
    for (const delivery of ledger.shownTo(user)) {
      const state = view.get(delivery.seq);
      if (!state || isAnnotation(state.record)) continue;
      if (delivery.deleted !== undefined && !state.deleted) state.deleted = delivery.deleted as { by: string };
      if (delivery.edited !== undefined && !state.edited && !state.deleted) state.edited = { seq: delivery.edited.seq, id: delivery.edited.id };
    }
    for (const [seq, shown] of view) {
      if (isAnnotation(shown.record)) continue;
      const all = changes.get(seq) ?? [];
      if (!all.every((change) => change.from === user || ledger.isRecipient(change, user))) continue;
      const difference = stateDifference(states.get(seq)!, { ...(shown.content ?? {}), edited: shown.edited, deleted: shown.deleted });
      count(ledger, 'views checked');
      if (difference !== undefined) ledger.violation(`${user}'s view of ${shown.record.from}/${shown.record.id} (seq ${seq}) ${difference}`);
    }
  }
}

/** The conversations `user` may read at the end: Everyone, each private one, and rooms. */
function conversationsOf(ledger: DeliveryLedger, user: string, classRooms: readonly string[], groupRooms: readonly string[]): string[] {
  const rooms = [...classRooms.filter((room) => ledger.rooms.all().some((event) => event.to === ROOM_PREFIX + room)), ...groupRooms.filter((room) => ledger.rooms.memberAt(room, user, Number.MAX_SAFE_INTEGER))];
  return [EVERYONE, ...ledger.users, ...rooms.map((room) => ROOM_PREFIX + room)];
}

async function readHistory(user: RawUser, withWhom: string): Promise<ChatMessage[] | string> {
  const messages: ChatMessage[] = [];
  let before: number | undefined;
  for (let page = 0; page < 100; page++) {
    const reply = await user.request({ type: 'history', with: withWhom, limit: LIMITS.maxHistoryPage, ...(before !== undefined ? { before } : {}) });
    if (reply.type !== 'history_page') return JSON.stringify(reply).slice(0, 200);
    messages.unshift(...reply.messages);
    if (!reply.more || reply.messages.length === 0) return messages;
    before = reply.messages[0].seq;
  }
  return 'more than 100 pages';
}

/**
 * `history` of every conversation each user can read: each message as the model has it, and in
 * Everyone and private conversations every acknowledged message there (rooms start at a join).
 */
export async function checkHistory(ledger: DeliveryLedger, users: readonly RawUser[], classRooms: readonly string[], groupRooms: readonly string[]): Promise<void> {
  const acked = ledger.acknowledgedRecords();
  const states = finalStates(acked.map(toRefRecord));
  for (const user of users) {
    for (const withWhom of conversationsOf(ledger, user.name, classRooms, groupRooms)) {
      const where = `${user.name}'s history with ${withWhom}`;
      const messages = await readHistory(user, withWhom);
      if (typeof messages === 'string') {
        ledger.violation(`${where} answered ${messages}`);
        continue;
      }
      const listed = new Set<number>();
      for (const message of messages) {
        if (message.event !== undefined) continue;
        listed.add(message.seq);
        const state = states.get(message.seq);
        count(ledger, 'history messages checked');
        if (!state || state.record.id !== message.id || state.record.from !== message.from) ledger.violation(`${where} has ${message.from}/${message.id} as seq ${message.seq}, the model has ${state ? `${state.record.from}/${state.record.id}` : 'nothing'}`);
        else if (JSON.stringify(message.ref ?? null) !== JSON.stringify(state.record.ref ?? null)) ledger.violation(`${where}: seq ${message.seq} has ref ${JSON.stringify(message.ref)}, sent with ${JSON.stringify(state.record.ref)}`);
        else {
          const difference = stateDifference(state, message);
          if (difference !== undefined) ledger.violation(`${where}: ${message.from}/${message.id} (seq ${message.seq}) ${difference}`);
        }
      }
      if (withWhom.startsWith(ROOM_PREFIX)) continue;
      const here = conversationOf({ from: user.name, to: withWhom });
      const absent = acked.filter((record) => conversationOf(record) === here && !listed.has(record.ackedSeq));
      if (absent.length > 0) ledger.violation(`${where} lacks ${absent.slice(0, 5).map((record) => `${record.from}/${record.id} (seq ${record.ackedSeq})`).join(', ')}`);
    }
  }
}

/** Once the store has settled, no place it keeps data (files, database rows) holds a deleted message's text or box, or its edits'. */
export async function checkErased(ledger: DeliveryLedger, storedContents: () => Promise<Array<{ name: string; bytes: Buffer }>>): Promise<void> {
  const erased = erasedContent(finalStates(ledger.acknowledgedRecords().map(toRefRecord)));
  if (erased.length === 0) return;
  const contents = await storedContents();
  count(ledger, 'deleted contents looked for on disk', erased.length);
  for (const marker of erased) {
    const holder = contents.find((file) => file.bytes.includes(Buffer.from(marker, 'utf8')));
    if (holder) ledger.violation(`deleted content ${JSON.stringify(marker.slice(0, 40))} is still in ${holder.name}`);
  }
}
