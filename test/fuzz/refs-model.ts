/**
 * The fuzz model of message references (PROTOCOL.md 20.5), shared by both fuzz properties: what
 * a reply, edit, delete or reaction does to its target and what the server must refuse, as a pure
 * fold over the acknowledged messages in seq order. Independent of the server's
 * message-revisions.ts on purpose: the fuzz compares the two.
 */
import type { ErrorCode } from '../../src/protocol/errors';
import { EVERYONE } from '../../src/protocol/names';
import type { MessageRef } from '../../src/protocol/references';
import type { Box } from './delivery-ledger';

/** An acknowledged message as the model needs it (a SentRecord with its seq). */
export interface RefRecord {
  seq: number;
  from: string;
  id: string;
  to: string;
  text?: string;
  box?: Box;
  ref?: MessageRef;
}

export type Content = { text: string } | { box: Box } | undefined;

/** The final state of one message: what history and every client that has it must show. */
export interface MessageState {
  record: RefRecord;
  content: Content;
  /** The newest edit applied (targets only, until deleted). */
  edited?: { seq: number; id: string };
  deleted?: { by: string };
}

const ANNOTATIONS = new Set(['edit', 'delete', 'react', 'unreact']);

export const isAnnotation = (record: { ref?: MessageRef }) => record.ref !== undefined && ANNOTATIONS.has(record.ref.rel);

/** One key for a conversation as seen from either side: `*`, `#room`, or the two names sorted. */
export function conversationOf(record: { from: string; to: string }): string {
  if (record.to === EVERYONE || record.to.startsWith('#')) return record.to;
  return [record.from, record.to].sort().join('↔');
}

export function contentOf(record: { text?: string; box?: Box; ref?: MessageRef }): Content {
  if (record.ref?.rel === 'delete') return undefined;
  if (record.box !== undefined) return { box: record.box };
  return record.text !== undefined ? { text: record.text } : undefined;
}

/** Applies messages in seq order; `states` holds every message by seq (annotations too). */
export function applyReference(states: Map<number, MessageState>, record: RefRecord): void {
  states.set(record.seq, { record, content: contentOf(record) });
  const rel = record.ref?.rel;
  if (rel !== 'edit' && rel !== 'delete') return;
  const target = states.get(record.ref!.seq);
  if (!target || target.deleted) return;
  // Only the newest edit keeps content; a delete erases the newest edit's too.
  const previous = target.edited && states.get(target.edited.seq);
  if (previous) previous.content = undefined;
  if (rel === 'edit') {
    target.content = contentOf(record);
    target.edited = { seq: record.seq, id: record.id };
  } else {
    // Deleted, it shows nothing of what it said, edits included.
    target.content = undefined;
    target.edited = undefined;
    target.deleted = { by: record.from };
  }
}

export function finalStates(records: Iterable<RefRecord>): Map<number, MessageState> {
  const states = new Map<number, MessageState>();
  for (const record of [...records].sort((a, b) => a.seq - b.seq)) applyReference(states, record);
  return states;
}

export interface RefWorld {
  isStaff(name: string): boolean;
  /** Whether the server can read a message to `to` (Everyone, private text, a clear room). */
  clearRoom(room: string): boolean;
  /** Seqs of events: never a target. */
  isEvent(seq: number): boolean;
}

/**
 * What the server answers a `send` from `from` to `to` with `ref` and content of `form`, once the
 * send itself is allowed (predictSend): `sent`, or the refusal's code.
 */
export function predictReference(states: ReadonlyMap<number, MessageState>, world: RefWorld, from: string, to: string, ref: MessageRef, form: 'text' | 'box' | 'none'): 'sent' | ErrorCode {
  const target = states.get(ref.seq);
  if (!target || world.isEvent(ref.seq) || conversationOf(target.record) !== conversationOf({ from, to }) || isAnnotation(target.record)) return 'bad_ref';
  const targetForm = target.record.box !== undefined ? 'box' : 'text';
  if (ref.rel === 'edit') {
    if (target.record.from !== from || target.deleted || targetForm !== form) return 'bad_ref';
  }
  if (ref.rel === 'delete' && target.record.from !== from) {
    if (!world.isStaff(from)) return 'forbidden';
    const clear = targetForm === 'text' && (!to.startsWith('#') || world.clearRoom(to.slice(1)));
    if (!clear) return 'forbidden';
  }
  return 'sent';
}

/** How a message as shown (history, or a client's view) differs from the model's state, if it does. */
export function stateDifference(state: MessageState, shown: { text?: string; box?: Box; edited?: { seq: number; id: string }; deleted?: { by: string } }, checkBy = true): string | undefined {
  const want = describeState(state, checkBy);
  const got = JSON.stringify({
    content: shown.box !== undefined ? { box: { nonce: shown.box.nonce, ciphertext: shown.box.ciphertext } } : shown.text !== undefined ? { text: shown.text } : undefined,
    edited: shown.edited ? { seq: shown.edited.seq, id: shown.edited.id } : undefined,
    deleted: shown.deleted ? (checkBy ? { by: shown.deleted.by } : {}) : undefined,
  });
  return got === want ? undefined : `shows ${got.slice(0, 300)}, the model has ${want.slice(0, 300)}`;
}

function describeState(state: MessageState, checkBy: boolean): string {
  const content = state.content && 'box' in state.content ? { box: { nonce: state.content.box.nonce, ciphertext: state.content.box.ciphertext } } : state.content;
  return JSON.stringify({ content, edited: state.edited, deleted: state.deleted ? (checkBy ? { by: state.deleted.by } : {}) : undefined });
}

/** The texts and boxes a delete must have erased from the data directory (the target's and its edits'). */
export function erasedContent(states: ReadonlyMap<number, MessageState>): string[] {
  const erased: string[] = [];
  const deletedTargets = new Set([...states.values()].filter((state) => state.deleted).map((state) => state.record.seq));
  for (const state of states.values()) {
    const { record } = state;
    const gone = deletedTargets.has(record.seq) || (record.ref?.rel === 'edit' && deletedTargets.has(record.ref.seq));
    if (!gone) continue;
    // A box by its nonce: 24 random bytes, unique, where a short ciphertext might occur by chance.
    if (record.box) erased.push(record.box.nonce);
    else if (record.text) erased.push(record.text);
  }
  return erased;
}
