/**
 * Sending one file: read a chunk, encrypt it, send it; at most a window of chunks is
 * unacknowledged, and only those are kept in memory (the server acknowledges chunks once they
 * are on its disk, so after a reconnect the upload resumes from the server's count).
 */
import type { FileHandle } from 'node:fs/promises';
import { FileEncryptor } from '../crypto/file-stream';
import type { FileState } from '../protocol/frames';
import { LIMITS } from '../protocol/limits';
import { ChatClientError } from './errors';
import type { FileLink, TransferEvents } from './file-transfer-types';
import { RateMeter, transferError } from './file-transfer-types';
import { TypedEmitter } from './typed-events';

/** Chunks read from the file per read call. */
const READ_AHEAD = 16;

export class OutgoingFile extends TypedEmitter<TransferEvents> {
  /** The server's id for this transfer, once the offer is stored. */
  file: string | undefined;
  /** The offer message as the server stored it (id, seq, ts), once stored: lets a UI show it in the conversation. */
  offer: { id: string; seq: number; ts: number } | undefined;
  /** Resolves with 'uploaded' once the server holds every byte ('delivered' if the receiver was quicker); rejects when the transfer ends otherwise. */
  readonly done: Promise<FileState>;
  private settle!: { resolve(state: FileState): void; reject(error: Error): void };
  private settled = false;
  private readonly unacked = new Map<number, Buffer>();
  /** Next chunk to read and encrypt; chunks below it are in `unacked` or acknowledged. */
  private nextToRead = 0;
  /** Next chunk to write to the connection. */
  private nextToSend = 0;
  private acked = 0;
  private reading = false;
  private paused = true;
  private readonly meter: RateMeter;

  constructor(
    private readonly link: FileLink,
    readonly to: string,
    readonly name: string,
    readonly size: number,
    private readonly handle: FileHandle,
    private readonly encryptor: FileEncryptor,
    private readonly chunkBytes: number,
    private readonly total: number,
    now: () => number,
  ) {
    super();
    this.meter = new RateMeter(now);
    this.done = new Promise<FileState>((resolve, reject) => (this.settle = { resolve, reject }));
    this.done.catch(() => undefined);
  }

  get isActive(): boolean {
    return !this.settled;
  }

  /** Bytes of the file the server has acknowledged (plaintext measure). */
  get bytesDone(): number {
    return Math.min(this.size, this.acked * this.encryptor.secrets.chunk);
  }

  /** Starts or resumes sending after the server reported `uploaded` chunks. */
  resume(uploaded: number): void {
    if (this.settled) return;
    for (let index = this.acked; index < uploaded; index++) this.unacked.delete(index);
    this.acked = Math.max(this.acked, uploaded);
    if (uploaded > this.nextToRead) {
      // The server has more than was read here: impossible unless it lies; fail rather than skip bytes.
      this.fail(new ChatClientError('protocol', `the server reports ${uploaded} chunks of a file this client sent only ${this.nextToRead} of`));
      return;
    }
    this.nextToSend = Math.max(uploaded, this.acked);
    if (this.acked >= this.total) return this.finish('uploaded');
    this.paused = false;
    this.pump();
  }

  pause(): void {
    this.paused = true;
  }

  onAck(index: number): void {
    if (this.settled || index < this.acked) return;
    for (let i = this.acked; i <= index; i++) this.unacked.delete(i);
    this.acked = index + 1;
    this.emit('progress', { file: this.file!, direction: 'upload', bytes: this.bytesDone, total: this.size, rate: this.meter.rate(this.bytesDone) });
    if (this.acked >= this.total) this.finish('uploaded');
    else this.pump();
  }

  /** The server says the transfer changed state. */
  onState(state: FileState, by: string | undefined): void {
    this.emit('state', state, by);
    if (state === 'uploaded' || state === 'delivered') this.finish(state);
    else if (state !== 'uploading') this.fail(transferError(state, by, this.to, 'upload'));
  }

  /** Gives up: tells the server (which tells the receiver) and releases the file. */
  cancel(): void {
    if (this.settled) return;
    if (this.file !== undefined) this.link.send({ type: 'file_cancel', file: this.file, reason: 'cancelled' });
    this.fail(new ChatClientError('cancelled', `you cancelled sending ${this.name}`));
  }

  fail(error: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.release();
    this.settle.reject(error);
  }

  /** Writes as many chunks as the window and the socket allow. */
  pump(): void {
    if (this.settled || this.paused || this.reading || this.file === undefined) return;
    while (this.nextToSend < this.nextToRead && this.nextToSend - this.acked < LIMITS.fileUploadWindowChunks) {
      if (!this.link.ready || this.link.congested) return;
      this.sendChunk(this.nextToSend, this.unacked.get(this.nextToSend)!);
      this.nextToSend++;
    }
    if (this.nextToRead < this.total && this.nextToRead - this.acked < LIMITS.fileUploadWindowChunks && this.link.ready && !this.link.congested) {
      this.reading = true;
      void this.readNext().then(
        () => {
          this.reading = false;
          this.pump();
        },
        (error: unknown) => {
          this.reading = false;
          if (this.file !== undefined) this.link.send({ type: 'file_cancel', file: this.file, reason: 'failed' });
          this.fail(new ChatClientError('file_read_failed', `could not read ${this.name}: ${(error as Error).message}`));
        },
      );
    }
  }

  /** Reads up to READ_AHEAD chunks in one call (fewer thread-pool round trips), then encrypts them. */
  private async readNext(): Promise<void> {
    const first = this.nextToRead;
    const chunk = this.encryptor.secrets.chunk;
    const room = LIMITS.fileUploadWindowChunks - (first - this.acked);
    const count = Math.max(1, Math.min(READ_AHEAD, this.total - first, room));
    const start = first * chunk;
    const length = Math.max(0, Math.min(count * chunk, this.size - start));
    const plain = Buffer.allocUnsafe(length);
    let offset = 0;
    while (offset < length) {
      const { bytesRead } = await this.handle.read(plain, offset, length - offset, start + offset);
      if (bytesRead === 0) throw new Error('the file became shorter while it was being sent');
      offset += bytesRead;
    }
    for (let i = 0; i < count; i++) {
      if (this.settled) return;
      const index = first + i;
      const sealed = this.encryptor.encrypt(plain.subarray(i * chunk, (i + 1) * chunk));
      const cipher = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
      if (cipher.length !== Math.min(this.chunkBytes, this.cipherSize() - index * this.chunkBytes)) throw new Error('internal: chunk size mismatch');
      this.unacked.set(index, cipher);
      this.nextToRead = index + 1;
    }
  }

  private cipherSize(): number {
    return this.size + this.total * (this.chunkBytes - this.encryptor.secrets.chunk);
  }

  private sendChunk(index: number, cipher: Buffer): void {
    this.link.sendChunk(this.file!, index, cipher);
  }

  private finish(state: FileState): void {
    if (this.settled) return;
    this.settled = true;
    this.release();
    this.settle.resolve(state);
  }

  private release(): void {
    this.unacked.clear();
    void this.handle.close().catch(() => undefined);
  }
}
