/**
 * The raw-protocol fuzz's room and moderation commands (PROTOCOL.md 20.2, 20.4): create group
 * rooms (encrypted: random boxes, the server never opens them) and the teacher's class room
 * (clear text), join, leave, add, remove, list members, send to rooms, and a teacher muting,
 * unmuting and turning exam mode on and off. Each request's answer is checked against the model's
 * prediction (room-model.ts), and each successful change tells the ledger which event to expect.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { ROOM_PREFIX } from '../../src/protocol/names';
import type { RawHarness } from './raw-harness';
import { RawCommand, RawModel, UserCommand } from './raw-model';
import { madeRiskier, predictRequest, predictSend, RoomRequest } from './room-model';

export const GROUP_ROOMS = ['lab-1', 'lab-2'];
export const CLASS_ROOM = 'sec-a';
const ROOMS = [...GROUP_ROOMS, CLASS_ROOM];

/** A room request or moderate frame, sent once the users it can make refusable are synced. */
class Request extends UserCommand {
  constructor(
    user: string,
    readonly request: RoomRequest,
    private readonly names: readonly string[],
  ) {
    super(user);
  }

  check = (model: Readonly<RawModel>) => {
    const actor = model.users[this.user];
    return actor.state === 'in' && !actor.paused && madeRiskier(model.world, this.user, this.request, this.names).every((name) => !model.users[name].paused);
  };

  async act(model: RawModel, harness: RawHarness) {
    const prediction = predictRequest(model.world, this.user, this.request);
    const user = harness.user(this.user);
    // Too many errors close a connection: a refusal waits for a connection with budget left.
    if (prediction.refused !== undefined && !user.canRisk(1)) return;
    // Whatever these users wrote before is handled (and answered as before the change) first.
    for (const name of madeRiskier(model.world, this.user, this.request, this.names)) {
      if (model.users[name].state === 'in') await harness.user(name).ping();
    }
    harness.ledger.epoch++;
    const reply = await user.request({ ...this.request });
    const what = `${this.user}: ${this.toString()}`;
    if (prediction.refused !== undefined) {
      if (reply.type !== 'error' || reply.code !== prediction.refused) harness.ledger.violation(`${what} answered ${JSON.stringify(reply).slice(0, 200)}, the model expected error ${prediction.refused}`);
      return;
    }
    prediction.apply(model.world);
    if (prediction.event) harness.ledger.rooms.expect(prediction.event);
    const wrong = this.wrongReply(model, reply);
    if (wrong !== undefined) harness.ledger.violation(`${what} answered ${JSON.stringify(reply).slice(0, 300)}: ${wrong}`);
  }

  /** How the success reply differs from the model after the change, if it does. */
  private wrongReply(model: RawModel, reply: Awaited<ReturnType<RawHarness['users'][number]['request']>>): string | undefined {
    if (this.request.type === 'moderate') return reply.type === 'done' ? undefined : 'the model expected done';
    const room = model.world.rooms[this.request.room];
    const members = [...room.members].sort();
    if (this.request.type === 'room_members') {
      return reply.type === 'room_members' && reply.members.slice().sort().join() === members.join() ? undefined : `the model has members ${members}`;
    }
    if (reply.type !== 'room') return 'the model expected a room';
    const want = { room: this.request.room, kind: room.kind, encrypted: room.encrypted, readOnly: false, owner: room.owner, size: members.length, member: members.includes(this.user) };
    const got = { ...reply.room, seq: undefined };
    return JSON.stringify({ ...want, seq: undefined }) === JSON.stringify(got) ? undefined : `the model has ${JSON.stringify(want)}`;
  }

  toString = () => `${this.request.type}(${this.user}, ${JSON.stringify({ ...this.request, type: undefined })})`;
}

/** A message to a room: a random box for an encrypted one, text for the class room. */
class RoomSend extends UserCommand {
  constructor(
    user: string,
    readonly room: string,
    readonly bytes: number,
  ) {
    super(user);
  }
  check = (model: Readonly<RawModel>) => model.users[this.user].state === 'in';
  act(model: RawModel, harness: RawHarness) {
    const to = ROOM_PREFIX + this.room;
    const encrypted = model.world.rooms[this.room]?.encrypted ?? this.room !== CLASS_ROOM;
    const box = encrypted ? { nonce: randomBytes(24).toString('base64'), ciphertext: randomBytes(this.bytes).toString('base64') } : undefined;
    harness.user(this.user).send(to, 'r'.repeat(this.bytes), predictSend(model.world, this.user, to), box);
  }
  toString = () => `roomSend(${this.user} → #${this.room}, ${this.bytes} bytes)`;
}

/** Room and moderation commands over `names`; `teacher` is the one teacher, the rest students. */
export function roomCommands(names: readonly string[], teacher: string): fc.Arbitrary<RawCommand>[] {
  const user = fc.constantFrom(...names);
  const staffMostly = fc.oneof({ arbitrary: fc.constant(teacher), weight: 4 }, { arbitrary: user, weight: 1 });
  const room = fc.constantFrom(...ROOMS);
  const request = (actor: fc.Arbitrary<string>, make: fc.Arbitrary<RoomRequest>) => fc.tuple(actor, make).map(([name, frame]) => new Request(name, frame, names));
  const some = fc.subarray([...names], { minLength: 0, maxLength: names.length });
  const roomSend = fc.tuple(user, room, fc.integer({ min: 1, max: 400 })).map(([name, to, bytes]) => new RoomSend(name, to, bytes));
  const createGroup = request(user, fc.tuple(fc.constantFrom(...GROUP_ROOMS), fc.subarray([...names], { minLength: 1 })).map(([name, members]) => ({ type: 'room_create' as const, room: name, kind: 'group' as const, encrypted: true, members })));
  const join = request(user, room.map((name) => ({ type: 'room_join' as const, room: name })));
  // fc.commands picks each entry alike: sends, creates and joins appear more than once so rooms have members who write.
  return [
    createGroup,
    createGroup,
    request(staffMostly, some.map((members) => ({ type: 'room_create' as const, room: CLASS_ROOM, kind: 'class' as const, encrypted: false, members }))),
    join,
    join,
    request(user, room.map((name) => ({ type: 'room_leave' as const, room: name }))),
    request(user, fc.tuple(room, some.filter((list) => list.length > 0)).map(([name, members]) => ({ type: 'room_add' as const, room: name, members }))),
    request(user, fc.tuple(room, user).map(([name, member]) => ({ type: 'room_remove' as const, room: name, name: member }))),
    request(user, room.map((name) => ({ type: 'room_members' as const, room: name }))),
    roomSend,
    roomSend,
    roomSend,
    roomSend,
    request(staffMostly, fc.tuple(user, fc.integer({ min: 1, max: 60 })).map(([name, minutes]) => ({ type: 'moderate' as const, action: 'mute' as const, name, minutes }))),
    request(staffMostly, user.map((name) => ({ type: 'moderate' as const, action: 'unmute' as const, name }))),
    request(staffMostly, fc.boolean().map((on) => ({ type: 'moderate' as const, action: 'read_only' as const, on }))),
  ];
}
