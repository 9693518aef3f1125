/**
 * The raw-protocol fuzz's reference commands (PROTOCOL.md 20.5): replies, edits, deletes,
 * reactions and their withdrawal in Everyone, private conversations and rooms, aimed at a message
 * of the same conversation, the sender's own, any message at all (another conversation), an event
 * or a seq that does not exist, with the content in the target's form or the other one. Each is
 * answered before the next command, and the answer must be the model's (refs-model.ts).
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import type { ErrorCode } from '../../src/protocol/errors';
import { EVERYONE, ROOM_PREFIX } from '../../src/protocol/names';
import type { RefRelation } from '../../src/protocol/references';
import type { Box } from './delivery-ledger';
import type { RawHarness } from './raw-harness';
import { RawCommand, RawModel, UserCommand } from './raw-model';
import { finalStates, predictReference, RefRecord } from './refs-model';
import { predictSend, WorldModel } from './room-model';

/** Which message a reference names, chosen when it runs (seqs are the server's). */
export type TargetPick = 'conversation' | 'mine' | 'anywhere' | 'event' | 'missing';

/** Far past any seq a run reaches. */
const MISSING_SEQ = 900_000;

class RefSend extends UserCommand {
  constructor(
    user: string,
    readonly to: string,
    readonly rel: RefRelation,
    readonly pick: TargetPick,
    readonly index: number,
    /** Content in the other form than the target's (a box for a text, text for a box). */
    readonly flipForm: boolean,
  ) {
    super(user);
  }

  check = (model: Readonly<RawModel>) => model.users[this.user].state === 'in' && !model.users[this.user].paused;

  async act(model: RawModel, harness: RawHarness) {
    // Everyone's earlier sends answered first: the model picks among acknowledged messages.
    for (const other of harness.users) if (other.loggedIn && !other.paused) await other.ping();
    const records = harness.ledger.acknowledgedRecords().map(toRefRecord);
    const states = finalStates(records);
    const chosen = this.target(records, harness);
    if (chosen === undefined) return;
    const { seq, to } = chosen;
    const target = states.get(seq);
    const naturalBox = target ? target.record.box !== undefined : encryptedRoom(model.world, to);
    const form = this.rel === 'delete' ? 'none' : this.rel === 'react' || this.rel === 'unreact' ? 'text' : naturalBox !== this.flipForm ? 'box' : 'text';
    const box: Box | undefined = form === 'box' ? { nonce: randomBytes(24).toString('base64'), ciphertext: randomBytes(16 + this.index).toString('base64') } : undefined;
    const world = { isStaff: (name: string) => name === model.world.teacher, clearRoom: (room: string) => model.world.rooms[room]?.encrypted === false, isEvent: (at: number) => harness.ledger.rooms.event(at) !== undefined };
    const ref = { seq, rel: this.rel };
    const allowed = predictSend(model.world, this.user, to);
    const expected: 'sent' | ErrorCode = allowed !== 'sent' ? allowed : wrongForm(model.world, to, form) ? 'invalid_frame' : predictReference(states, world, this.user, to, ref, form);
    const suffix = this.rel === 'react' || this.rel === 'unreact' ? '👍' : `${this.rel}${'e'.repeat(this.index)}`;
    const user = harness.user(this.user);
    const id = user.send(to, suffix, expected, box, ref);
    if (id === undefined) return;
    const record = harness.ledger.record(this.user, id)!;
    await user.waitFor(() => (record.ackedSeq !== undefined || record.refused !== undefined ? true : undefined), `the answer to ${id}`);
    const outcome = record.refused ?? 'sent';
    const counts = harness.ledger.refCounts;
    const label = outcome === 'sent' ? `${this.rel}s stored` : `refused ${outcome}`;
    counts[label] = (counts[label] ?? 0) + 1;
    if (outcome !== expected) harness.ledger.violation(`${this.user}: ${this.toString()} to ${to} naming seq ${seq} (${target ? `${target.record.from}/${target.record.id} to ${target.record.to}${target.deleted ? ', deleted' : ''}` : 'no message'}) answered ${outcome}, the model expected ${expected}`);
  }

  /**
   * The target, and the conversation the reference goes to: for `conversation` and `mine` that of
   * the target (a message the user is in the conversation of), else the command's own `to`.
   */
  private target(records: RefRecord[], harness: RawHarness): { seq: number; to: string } | undefined {
    if (this.pick === 'missing') return { seq: MISSING_SEQ + this.index, to: this.to };
    let candidates: RefRecord[] | number[];
    if (this.pick === 'event') candidates = harness.ledger.rooms.all().map((event) => event.seq);
    else if (this.pick === 'anywhere') candidates = records;
    else candidates = records.filter((record) => (this.pick === 'mine' ? record.from === this.user : partOf(record, this.user)));
    if (candidates.length === 0) return undefined;
    const chosen = candidates[candidates.length - 1 - (this.index % candidates.length)];
    if (typeof chosen === 'number') return { seq: chosen, to: this.to };
    if (this.pick === 'anywhere') return { seq: chosen.seq, to: this.to };
    const to = chosen.to === EVERYONE || chosen.to.startsWith(ROOM_PREFIX) ? chosen.to : chosen.from === this.user ? chosen.to : chosen.from;
    return { seq: chosen.seq, to };
  }

  toString = () => `${this.rel}(${this.user}${this.pick === 'conversation' || this.pick === 'mine' ? '' : ` → ${this.to}`}, ${this.pick} #${this.index}${this.flipForm ? ', other form' : ''})`;
}

function encryptedRoom(world: Readonly<WorldModel>, to: string): boolean {
  const room = to.startsWith(ROOM_PREFIX) ? world.rooms[to.slice(ROOM_PREFIX.length)] : undefined;
  return room !== undefined && room.encrypted;
}

/** Content the conversation does not take (20.2): a box in Everyone or a clear room, text in an encrypted room. */
function wrongForm(world: Readonly<WorldModel>, to: string, form: 'text' | 'box' | 'none'): boolean {
  if (form === 'none') return false;
  if (to === EVERYONE) return form === 'box';
  if (!to.startsWith(ROOM_PREFIX)) return false;
  return encryptedRoom(world, to) !== (form === 'box');
}

/** Whether `user` is in the conversation of `record` (for a room: it went there; membership is the server's to check). */
function partOf(record: RefRecord, user: string): boolean {
  return record.to === EVERYONE || record.to.startsWith(ROOM_PREFIX) || record.from === user || record.to === user;
}

function toRefRecord(record: ReturnType<RawHarness['ledger']['acknowledgedRecords']>[number]): RefRecord {
  return { seq: record.ackedSeq, from: record.from, id: record.id, to: record.to, text: record.text, box: record.box, ref: record.ref };
}

/** Reference commands over `names` and `rooms`; aimed mostly at the conversation's own messages. */
export function refCommands(names: readonly string[], rooms: readonly string[]): fc.Arbitrary<RawCommand>[] {
  const user = fc.constantFrom(...names);
  const to = fc.constantFrom(EVERYONE, EVERYONE, ...names, ...rooms.map((room) => ROOM_PREFIX + room));
  const pick = fc.constantFrom<TargetPick>('conversation', 'conversation', 'conversation', 'mine', 'mine', 'mine', 'anywhere', 'event', 'missing');
  const flip = fc.oneof({ arbitrary: fc.constant(false), weight: 5 }, { arbitrary: fc.constant(true), weight: 1 });
  const make = (rel: fc.Arbitrary<RefRelation>) => fc.tuple(user, to, rel, pick, fc.nat(12), flip).map(([name, where, relation, target, index, other]) => new RefSend(name, where, relation, target, index, other));
    // fc.commands picks each entry alike: edits and deletes repeated, so chains of them occur.
  const edit = make(fc.constant('edit'));
  const remove = make(fc.constant('delete'));
  const other = make(fc.constantFrom<RefRelation>('reply', 'react', 'unreact'));
  return [edit, edit, edit, edit, remove, remove, remove, other, other];
}
