/**
 * Messages accepted by `sendText`/`sendBox` and not yet acknowledged by the server, in the order
 * they were queued. An entry keeps its id for life, so a resend after a reconnect is recognised
 * by the server as the same message. Pure bookkeeping: no sockets, no timers.
 */
import { randomBytes } from 'node:crypto';
import type { DeviceKeyBoxWire } from '../protocol/device-frames';
import type { Box, FileOffer } from '../protocol/frames';
import type { MessageRef } from '../protocol/references';
import { ChatClientError } from './errors';

/**
 * A text, a box, a file offer (a box with the file's name and key, plus its sizes), a hidden room
 * key (a box), or (v3) a text or box with a reference, or a delete (a reference alone).
 */
export type OutboxPayload = { text: string; ref?: MessageRef } | { box: Box; ref?: MessageRef } | { box: Box; keys?: DeviceKeyBoxWire[] } | { box: Box; file: FileOffer } | { box: Box; hidden: true } | { ref: MessageRef };

/** What a `sent` frame confirms: the message is stored durably under `seq`. */
export interface SentInfo {
  id: string;
  to: string;
  seq: number;
  ts: number;
  /** The server already had this id (an earlier copy got through before a disconnect). */
  duplicate: boolean;
  /** The server's file id, for a file offer. */
  file?: string;
}

export interface OutboxEntry {
  readonly id: string;
  readonly to: string;
  readonly payload: OutboxPayload;
  /** Sent on the current connection and waiting for `sent` or `error`. */
  inFlight: boolean;
}

interface Entry extends OutboxEntry {
  resolve(info: SentInfo): void;
  reject(error: Error): void;
}

export const DEFAULT_OUTBOX_CAPACITY = 10_000;

/** A fresh message id: 128 random bits as base64url (22 characters of [A-Za-z0-9_-]). */
export function newMessageId(): string {
  return randomBytes(16).toString('base64url');
}

export class Outbox {
  private readonly entries = new Map<string, Entry>();
  private inFlightCount = 0;

  constructor(readonly capacity = DEFAULT_OUTBOX_CAPACITY) {}

  get size(): number {
    return this.entries.size;
  }

  get inFlight(): number {
    return this.inFlightCount;
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  /** Queues a message; the promise settles when the server acknowledges or refuses it. Throws when full. */
  add(to: string, payload: OutboxPayload, id = newMessageId()): { id: string; sent: Promise<SentInfo> } {
    if (this.entries.size >= this.capacity) {
      throw new ChatClientError('outbox_full', `${this.entries.size} messages are still waiting to be sent; try again once some are delivered`);
    }
    if (this.entries.has(id)) throw new Error(`duplicate outbox id ${id}`);
    let resolve!: (info: SentInfo) => void;
    let reject!: (error: Error) => void;
    const sent = new Promise<SentInfo>((ok, fail) => {
      resolve = ok;
      reject = fail;
    });
    this.entries.set(id, { id, to, payload, inFlight: false, resolve, reject });
    return { id, sent };
  }

  /** The oldest entry not in flight. */
  nextToSend(): OutboxEntry | undefined {
    for (const entry of this.entries.values()) if (!entry.inFlight) return entry;
    return undefined;
  }

  markInFlight(id: string): void {
    const entry = this.entries.get(id);
    if (!entry || entry.inFlight) return;
    entry.inFlight = true;
    this.inFlightCount++;
  }

  /** Puts an in-flight entry back in line (it keeps its place and its id). */
  requeue(id: string): void {
    const entry = this.entries.get(id);
    if (!entry || !entry.inFlight) return;
    entry.inFlight = false;
    this.inFlightCount--;
  }

  /** After a lost connection: nothing is in flight any more; everything will be sent again. */
  requeueAll(): void {
    for (const entry of this.entries.values()) entry.inFlight = false;
    this.inFlightCount = 0;
  }

  /** Settles an entry as stored. Returns the SentInfo, or undefined for an unknown id. */
  acknowledge(id: string, seq: number, ts: number, duplicate: boolean, file?: string): SentInfo | undefined {
    const entry = this.take(id);
    if (!entry) return undefined;
    const info: SentInfo = { id, to: entry.to, seq, ts, duplicate, ...(file !== undefined ? { file } : {}) };
    entry.resolve(info);
    return info;
  }

  /** Settles an entry as refused. Returns false for an unknown id. */
  reject(id: string, error: Error): boolean {
    const entry = this.take(id);
    if (!entry) return false;
    entry.reject(error);
    return true;
  }

  rejectAll(error: Error): void {
    const entries = [...this.entries.values()];
    this.entries.clear();
    this.inFlightCount = 0;
    for (const entry of entries) entry.reject(error);
  }

  private take(id: string): Entry | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    this.entries.delete(id);
    if (entry.inFlight) this.inFlightCount--;
    return entry;
  }
}
