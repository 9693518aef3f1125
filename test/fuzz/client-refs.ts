/**
 * References in the ChatClient fuzz (PROTOCOL.md 20.5): replies, edits, deletes and reactions
 * made with the library's own calls in Everyone and end-to-end encrypted private conversations,
 * each aimed at a message the user's client has shown or sent. Each client's view (its `message`
 * events, its own sends, changed by `messageChanged`) and `history()` after a reconnect must show
 * every message in the model's final state (refs-model.ts).
 */
import fc from 'fast-check';
import type { ChatClient } from '../../src/client';
import type { ReceivedMessage } from '../../src/client/types';
import { LIMITS } from '../../src/protocol/limits';
import { EVERYONE } from '../../src/protocol/names';
import type { RefRelation } from '../../src/protocol/references';
import type { DeliveryLedger } from './delivery-ledger';
import { conversationOf, finalStates, isAnnotation, MessageState, RefRecord, stateDifference } from './refs-model';

const WAIT_MS = 8000;

/** A message as one client shows it now. */
interface ViewEntry {
  seq: number;
  from: string;
  id: string;
  conversation: string;
  text?: string;
  edited?: { seq: number; id: string };
  deleted?: { by: string };
}

function entryOf(message: ReceivedMessage): ViewEntry {
  return {
    seq: message.seq,
    from: message.from,
    id: message.id,
    conversation: message.conversation!,
    ...(message.text !== undefined ? { text: message.text } : {}),
    ...(message.edited ? { edited: { seq: message.edited.seq, id: message.edited.id } } : {}),
    ...(message.deleted ? { deleted: { by: message.deleted.by } } : {}),
  };
}

/** Per running client (a new one starts with an empty view, as a restarted app), what it shows. */
export class ClientViews {
  private readonly views = new Map<string, Map<number, ViewEntry>>();
  private readonly welcomes = new Map<string, number>();

  constructor(private readonly onChange: () => void) {}

  attach(name: string, client: ChatClient): void {
    const view = new Map<number, ViewEntry>();
    this.views.set(name, view);
    client.on('message', (message) => void view.set(message.seq, entryOf(message)));
    client.on('messageChanged', (change) => {
      if (view.has(change.seq)) view.set(change.seq, entryOf(change.message));
      this.onChange();
    });
    client.on('welcome', () => {
      this.welcomes.set(name, (this.welcomes.get(name) ?? 0) + 1);
      this.onChange();
    });
  }

  /** The user's own message, stored: their client shows it too. */
  own(name: string, entry: ViewEntry): void {
    this.views.get(name)?.set(entry.seq, entry);
  }

  of(name: string): ReadonlyMap<number, ViewEntry> {
    return this.views.get(name) ?? new Map();
  }

  welcomeCount(name: string): number {
    return this.welcomes.get(name) ?? 0;
  }
}

/** What the ref commands and checks need of ClientHarness. */
export interface RefHarness {
  readonly ledger: DeliveryLedger;
  readonly views: ClientViews;
  readonly names: string[];
  client(name: string): ChatClient | undefined;
  cut(name: string): void;
  waitFor<R>(probe: () => R | undefined, what: string): Promise<R>;
}

function count(ledger: DeliveryLedger, what: string, by = 1): void {
  ledger.refCounts[what] = (ledger.refCounts[what] ?? 0) + by;
}

/** Resolves or rejects with the call's outcome: `sent` with its info, or the error's code. */
async function outcomeOf<T>(call: () => Promise<T>): Promise<{ code: string; value?: T }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(Object.assign(new Error('timeout'), { code: 'no answer in time' })), WAIT_MS)));
    return { code: 'sent', value: await Promise.race([call(), timeout]) };
  } catch (error) {
    return { code: (error as { code?: string }).code ?? String(error) };
  } finally {
    clearTimeout(timer);
  }
}

export class ClientRef {
  constructor(
    readonly user: string,
    readonly rel: RefRelation,
    readonly index: number,
    readonly text: string,
  ) {}

  async run(harness: RefHarness): Promise<void> {
    const client = harness.client(this.user)!;
    const candidates = [...harness.views.of(this.user).values()].sort((a, b) => a.seq - b.seq);
    if (candidates.length === 0) return;
    const target = candidates[candidates.length - 1 - (this.index % candidates.length)];
    const mine = target.from === this.user;
    // What the client refuses itself, else what the server does (20.5); a deletion this client has not seen yet changes neither.
    const expected = target.deleted ? 'bad_ref' : this.rel === 'edit' && !mine ? 'bad_ref' : this.rel === 'delete' && !mine ? 'forbidden' : 'sent';
    const conversation = target.conversation;
    const text = `${this.rel} ${this.user}: ${this.text}`;
    let replyId: string | undefined;
    const outcome = await outcomeOf(() => {
      switch (this.rel) {
        case 'edit':
          return client.editMessage(conversation, target.seq, text);
        case 'delete':
          return client.deleteMessage(conversation, target.seq);
        case 'react':
          return client.react(conversation, target.seq, '👍');
        case 'unreact':
          return client.unreact(conversation, target.seq, '👍');
        case 'reply': {
          const queued = client.queueText(conversation, text, { replyTo: target.seq });
          replyId = queued.id;
          harness.ledger.written({ from: this.user, id: queued.id, to: conversation, text });
          return queued.sent;
        }
      }
    });
    count(harness.ledger, outcome.code === 'sent' ? `${this.rel}s stored` : `refused ${outcome.code}`);
    if (outcome.code !== expected) {
      harness.ledger.violation(`${this.user}: ${this.toString()} of ${target.from}/${target.id} (seq ${target.seq} in ${conversation}${target.deleted ? ', deleted' : ''}) ended ${outcome.code}, the model expected ${expected}`);
      return;
    }
    const info = outcome.value;
    if (!info) return;
    if (this.rel === 'reply') {
      harness.ledger.acknowledged(this.user, replyId!, info.seq);
      harness.views.own(this.user, { seq: info.seq, from: this.user, id: info.id, conversation, text });
    } else {
      const ref = { seq: target.seq, rel: this.rel };
      harness.ledger.written({ from: this.user, id: info.id, to: conversation, text: this.rel === 'edit' ? text : this.rel === 'delete' ? '' : '👍', ref });
      harness.ledger.acknowledged(this.user, info.id, info.seq);
    }
  }

  toString = () => `${this.rel}(${this.user}, shown #${this.index}${this.rel === 'edit' || this.rel === 'reply' ? `, ${JSON.stringify(this.text)}` : ''})`;
}

export function clientRefArbitraries<C>(names: readonly string[], wrap: (ref: ClientRef) => C): fc.Arbitrary<C>[] {
  const user = fc.constantFrom(...names);
  const make = (rel: fc.Arbitrary<RefRelation>) => fc.tuple(user, rel, fc.nat(10), fc.string({ unit: 'grapheme', maxLength: 20 })).map(([name, relation, index, text]) => wrap(new ClientRef(name, relation, index, text)));
  const edit = make(fc.constant('edit'));
  const remove = make(fc.constant('delete'));
  return [edit, edit, remove, make(fc.constantFrom<RefRelation>('reply', 'react', 'unreact'))];
}

const stateOfRecords = (ledger: DeliveryLedger): Map<number, MessageState> => finalStates(ledger.acknowledgedRecords().map((record): RefRecord => ({ seq: record.ackedSeq, from: record.from, id: record.id, to: record.to, text: record.text, ref: record.ref })));

/** How `entry` differs from the model, if it does (a message the model never saw acknowledged is not compared). */
function entryProblem(states: ReadonlyMap<number, MessageState>, entry: ViewEntry): string | undefined {
  const state = states.get(entry.seq);
  if (!state) return undefined;
  if (state.record.id !== entry.id) return `is ${entry.from}/${entry.id}, the model has ${state.record.from}/${state.record.id}`;
  return stateDifference(state, entry);
}

/** Every running client's view against the model, once the changes still on their way arrive. */
export async function checkClientViews(harness: RefHarness): Promise<void> {
  const states = stateOfRecords(harness.ledger);
  const problems = () => {
    const found: string[] = [];
    for (const name of harness.names) {
      for (const entry of harness.views.of(name).values()) {
        const problem = entryProblem(states, entry);
        if (problem !== undefined) found.push(`${name}'s view of seq ${entry.seq} in ${entry.conversation} ${problem}`);
      }
    }
    return found;
  };
  await harness.waitFor(() => (problems().length === 0 ? true : undefined), 'every view in the final state').catch(() => undefined);
  for (const problem of problems()) harness.ledger.violation(problem);
  for (const name of harness.names) count(harness.ledger, 'views checked', harness.views.of(name).size);
}

/**
 * Each client reconnects (its connection cut), then reads `history()` of Everyone and of each
 * private conversation: every acknowledged message there, in the model's final state, decrypted.
 */
export async function checkClientHistory(harness: RefHarness): Promise<void> {
  const states = stateOfRecords(harness.ledger);
  const acked = harness.ledger.acknowledgedRecords();
  // All connections cut at once: the clients reconnect side by side.
  const before = new Map(harness.names.map((name) => [name, harness.views.welcomeCount(name)]));
  for (const name of harness.names) harness.cut(name);
  for (const name of harness.names) {
    const client = harness.client(name)!;
    await harness.waitFor(() => (harness.views.welcomeCount(name) > before.get(name)! && client.state === 'connected' ? true : undefined), `${name} reconnected`);
  }
  for (const name of harness.names) {
    const client = harness.client(name)!;
    for (const withWhom of [EVERYONE, ...harness.names.filter((other) => other !== name)]) {
      const where = `${name}'s history() with ${withWhom} after a reconnect`;
      const page = await outcomeOf(() => client.history(withWhom, { limit: LIMITS.maxHistoryPage }));
      if (!page.value) {
        harness.ledger.violation(`${where} failed: ${page.code}`);
        continue;
      }
      if (page.value.more) harness.ledger.violation(`${where}: more than one page in a short run`);
      for (const message of page.value.messages) {
        count(harness.ledger, 'history messages checked');
        if (message.decryptError !== undefined) harness.ledger.violation(`${where}: seq ${message.seq} did not open (${message.decryptError})`);
        const problem = entryProblem(states, entryOf(message));
        if (problem !== undefined) harness.ledger.violation(`${where}: seq ${message.seq} ${problem}`);
      }
      const listed = new Set(page.value.messages.map((message) => message.seq));
      const here = conversationOf({ from: name, to: withWhom });
      const absent = acked.filter((record) => !isAnnotation(record) && conversationOf(record) === here && !listed.has(record.ackedSeq));
      if (absent.length > 0) harness.ledger.violation(`${where} lacks ${absent.slice(0, 5).map((record) => `${record.from}/${record.id} (seq ${record.ackedSeq})`).join(', ')}`);
    }
  }
}
