/** Shared types of the client's file transfers (upload, download and their manager). */
import type { ClientFrame, FileState } from '../protocol/frames';
import { ChatClientError } from './errors';

/** What a transfer needs from the client's connection. */
export interface FileLink {
  /** Writes a frame; false when not connected (the transfer resumes after the next login). */
  send(frame: ClientFrame): boolean;
  /** Writes one upload chunk (encoded without JSON.stringify); false when not connected. */
  sendChunk(file: string, index: number, data: Uint8Array): boolean;
  /** Logged in and able to write. */
  readonly ready: boolean;
  /** The socket is over its high-water mark: wait for `drain` before writing more chunks. */
  readonly congested: boolean;
}

export interface TransferProgress {
  /** The server's file id. */
  file: string;
  direction: 'upload' | 'download';
  /** Plaintext bytes done. */
  bytes: number;
  /** Plaintext size of the file. */
  total: number;
  /** Bytes per second since the transfer (or its resumption) began. */
  rate: number;
}

export type TransferEvents = {
  progress: [progress: TransferProgress];
  /** The server reported a new state for the transfer (and who caused it, if a person did). */
  state: [state: FileState, by: string | undefined];
};

/** A file offered to this user, as the UI shows it. */
export interface FileOfferView {
  file: string;
  /** The offer message's id and seq. */
  id: string;
  seq: number;
  from: string;
  to: string;
  /** The name as the sender gave it (display only; saved under `safeName`). */
  name: string;
  /** A name safe to create on this machine. */
  safeName: string;
  /** Plaintext size in bytes. */
  size: number;
  ts: number;
}

/** Bytes per second over the time since the first measurement. */
export class RateMeter {
  private start: { at: number; bytes: number } | undefined;

  constructor(private readonly now: () => number) {}

  rate(bytes: number): number {
    const at = this.now();
    if (!this.start) {
      this.start = { at, bytes };
      return 0;
    }
    const seconds = (at - this.start.at) / 1000;
    return seconds > 0 ? Math.round((bytes - this.start.bytes) / seconds) : 0;
  }
}

/** The error a transfer rejects with when it ends without the bytes arriving. */
export function transferError(state: FileState, by: string | undefined, peer: string, direction: 'upload' | 'download'): ChatClientError {
  const who = by ?? 'the server';
  switch (state) {
    case 'declined':
      return new ChatClientError('declined', `${peer} declined the file`);
    case 'cancelled':
      return new ChatClientError('cancelled', `${who === peer || by === undefined ? peer : who} cancelled the transfer`);
    case 'expired':
      return new ChatClientError('expired', 'the file expired on the server before it was delivered');
    case 'delivered':
      return new ChatClientError('file_closed', direction === 'download' ? 'the file was already received (in another session)' : 'the file was already delivered');
    default:
      return new ChatClientError('transfer_failed', `the transfer failed (${state}${by ? `, reported by ${by}` : ''})`);
  }
}
