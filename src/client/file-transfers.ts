/**
 * The client's file transfers: offers seen in messages, uploads and downloads in progress, their
 * resumption after a reconnect, and the server's file frames routed to them.
 */
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { cipherLayout, FileDecryptor, FileEncryptor, parseFileSecrets, FileSecrets } from '../crypto/file-stream';
import { chunkBytes } from '../protocol/codec';
import { ClassChatError } from '../protocol/errors';
import type { ChatMessage, FileInfo, FileRef, FileState, HelloFrame, ServerFrameOf } from '../protocol/frames';
import type { ClientLink, FileServices } from './client-services';
import { ChatClientError } from './errors';
import { IncomingFile } from './file-download';
import { sanitizeFileName } from './file-names';
import type { FileOfferView } from './file-transfer-types';
import { OutgoingFile } from './file-upload';
import { PendingRequests } from './requests';

export interface FileStatus extends FileOfferView {
  state: FileState;
  /** Plaintext bytes the server holds. */
  uploadedBytes: number;
}

interface KnownOffer {
  view: FileOfferView;
  secrets: FileSecrets;
  ref: FileRef;
}

const TERMINAL: ReadonlySet<FileState> = new Set(['delivered', 'declined', 'cancelled', 'failed', 'expired']);
const MAX_EARLY_ENDS = 64;

export class FileTransfers {
  private readonly offers = new Map<string, KnownOffer>();
  private readonly uploads = new Map<string, OutgoingFile>();
  private readonly downloads = new Map<string, IncomingFile>();
  /**
   * Ends heard for files not registered yet: the server's `sent` for an offer and the recipient's
   * decline can arrive in one read, before the upload is registered. Bounded; oldest dropped.
   */
  private readonly earlyEnds = new Map<string, { state: FileState; by: string | undefined }>();
  private readonly requests: PendingRequests<FileInfo[]>;
  private readonly link: ClientLink;
  /** The current server's per-file limit (from hello); undefined when it relays no files. */
  private maxFileBytes: number | undefined;

  constructor(private readonly services: FileServices) {
    this.link = services.link;
    this.requests = new PendingRequests(services.link.clock);
  }

  /** The server said hello: whether it relays files, and up to what size. */
  onHello(hello: HelloFrame): void {
    this.maxFileBytes = hello.features.includes('files') ? hello.limits.maxFileBytes : undefined;
  }

  /** The offer a message carries, once its box opened (`text` is the decrypted box). */
  describe(message: ChatMessage, text: string | undefined): FileOfferView | undefined {
    if (!message.file || text === undefined) return undefined;
    const secrets = parseFileSecrets(text);
    if (!secrets) return undefined;
    const layout = cipherLayout(secrets.size, secrets.chunk);
    if (layout.cipherSize !== message.file.size || layout.chunkBytes !== message.file.chunkBytes) return undefined;
    const view: FileOfferView = {
      file: message.file.id,
      id: message.id,
      seq: message.seq,
      from: message.from,
      to: message.to,
      name: secrets.name,
      safeName: sanitizeFileName(secrets.name),
      size: secrets.size,
      ts: message.ts,
    };
    if (message.to === this.link.me) this.offers.set(view.file, { view, secrets, ref: message.file });
    return view;
  }

  /** Offers `path` to `to` and starts uploading; the limit is checked before anything is sent. */
  async send(to: string, path: string, now: () => number, name = basename(path)): Promise<OutgoingFile> {
    if (this.maxFileBytes === undefined) throw new ClassChatError('files_disabled', 'this server does not relay files');
    if (to === this.link.me) throw new ClassChatError('invalid_frame', 'a file cannot be sent to yourself');
    if (name.length === 0 || name.length > 1024) throw new ChatClientError('bad_file', 'a file name must be 1-1024 characters');
    const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
      throw new ChatClientError('file_read_failed', `cannot read ${path}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
    });
    if (!info.isFile()) throw new ChatClientError('file_read_failed', `${path} is not a regular file`);
    const layout = cipherLayout(info.size);
    if (layout.cipherSize > this.maxFileBytes) {
      throw new ClassChatError('file_too_large', `${basename(path)} is ${info.size} bytes; this server accepts files up to ${this.maxFileBytes} bytes`);
    }
    const handle = await open(path, 'r');
    try {
      const encryptor = await FileEncryptor.create(name, info.size);
      const upload = new OutgoingFile(this.link, to, name, info.size, handle, encryptor, layout.chunkBytes, layout.chunks, now);
      const sent = await this.services.queueOffer(to, JSON.stringify(encryptor.secrets), { size: layout.cipherSize, chunkBytes: layout.chunkBytes });
      upload.file = sent.file;
      upload.offer = { id: sent.id, seq: sent.seq, ts: sent.ts };
      if (upload.file === undefined) throw new ChatClientError('protocol', 'the server stored the offer but gave no file id');
      this.uploads.set(upload.file, upload);
      void upload.done.then(undefined, () => undefined);
      const ended = this.earlyEnds.get(upload.file);
      this.earlyEnds.delete(upload.file);
      if (ended) upload.onState(ended.state, ended.by);
      else if (this.link.ready) upload.resume(0);
      return upload;
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
  }

  /** Starts receiving an offered file into `dir` (under its sanitised name, or `name`). */
  async accept(file: string, dir: string, now: () => number, name?: string): Promise<IncomingFile> {
    const existing = this.downloads.get(file);
    if (existing?.isActive) return existing;
    const offer = this.offers.get(file) ?? (await this.fetchOffer(file));
    const decryptor = await FileDecryptor.create(offer.secrets).catch(() => {
      throw new ChatClientError('bad_file', `the offer of ${offer.view.safeName} carries an unusable key`);
    });
    const safeName = name === undefined ? offer.view.safeName : sanitizeFileName(name);
    const download = new IncomingFile(this.link, file, offer.view.from, offer.secrets, decryptor, offer.ref, dir, safeName, now);
    this.downloads.set(file, download);
    await download.start();
    return download;
  }

  /** Refuses an offer: the server deletes the file and tells the sender. */
  decline(file: string): void {
    const download = this.downloads.get(file);
    if (download?.isActive) return download.cancel('declined');
    this.requireReady();
    this.link.send({ type: 'file_cancel', file, reason: 'declined' });
  }

  /** Cancels an upload or download in progress (either side). */
  cancel(file: string): void {
    const transfer = this.uploads.get(file) ?? this.downloads.get(file);
    if (transfer?.isActive) return transfer.cancel();
    this.requireReady();
    this.link.send({ type: 'file_cancel', file, reason: 'cancelled' });
  }

  /** Files this user sent or was sent that the server still knows about, newest first. */
  async list(): Promise<FileStatus[]> {
    const infos = await this.status(undefined);
    const result: FileStatus[] = [];
    for (const info of infos) {
      const offer = this.offerFromInfo(info);
      if (offer) result.push({ ...offer.view, state: info.state, uploadedBytes: Math.min(offer.secrets.size, info.uploaded * offer.secrets.chunk) });
    }
    return result;
  }

  onFrame(frame: ServerFrameOf<'file_chunk' | 'file_ack' | 'file_state' | 'file_status'>): void {
    switch (frame.type) {
      case 'file_chunk':
        this.downloads.get(frame.file)?.onChunk(frame.index, chunkBytes(frame));
        return;
      case 'file_ack':
        this.uploads.get(frame.file)?.onAck(frame.index);
        return;
      case 'file_state':
        if (TERMINAL.has(frame.state) && !this.uploads.has(frame.file) && !this.downloads.has(frame.file)) this.rememberEarlyEnd(frame.file, frame.state, frame.by);
        this.uploads.get(frame.file)?.onState(frame.state, frame.by);
        this.downloads.get(frame.file)?.onState(frame.state, frame.by);
        if (TERMINAL.has(frame.state)) this.forget(frame.file);
        this.services.emit('fileState', frame.file, frame.state, frame.by);
        return;
      case 'file_status':
        this.requests.resolve(frame.rid, frame.files);
    }
  }

  /** A server error about a file (its id in the error's `id`) or a status request. */
  onError(id: string | undefined, rid: string | undefined, error: ClassChatError): boolean {
    if (this.requests.has(rid)) return this.requests.reject(rid, error);
    if (id === undefined) return false;
    const transfer = this.uploads.get(id) ?? this.downloads.get(id);
    if (!transfer) return false;
    if (transfer.isActive) {
      if (transfer instanceof OutgoingFile) transfer.fail(error);
      else transfer.cancel('cancelled');
    }
    return true;
  }

  /** Logged in again: uploads continue from what the server holds, downloads from what was verified. */
  resume(): void {
    for (const [file, upload] of this.uploads) {
      if (!upload.isActive) continue;
      this.status(file).then(
        ([info]) => {
          if (!info || info.state !== 'uploading') upload.onState(info?.state ?? 'failed', undefined);
          else upload.resume(info.uploaded);
        },
        () => undefined, // the connection dropped again: the next login retries
      );
    }
    for (const download of this.downloads.values()) download.resume();
  }

  paused(): void {
    for (const upload of this.uploads.values()) upload.pause();
    this.requests.rejectAll(new ChatClientError('connection_lost', 'the connection was lost before the server answered'));
  }

  drained(): void {
    for (const upload of this.uploads.values()) upload.pump();
  }

  /** Closing the client: transfers stop where they are (the server keeps its copy). */
  dispose(): void {
    const error = new ChatClientError('closed', 'the client was closed during the transfer');
    for (const upload of this.uploads.values()) upload.fail(error);
    for (const download of this.downloads.values()) if (download.isActive) download.cancel('cancelled');
    this.uploads.clear();
    this.downloads.clear();
  }

  private rememberEarlyEnd(file: string, state: FileState, by: string | undefined): void {
    if (this.earlyEnds.size >= MAX_EARLY_ENDS) this.earlyEnds.delete(this.earlyEnds.keys().next().value!);
    this.earlyEnds.set(file, { state, by });
  }

  private forget(file: string): void {
    const upload = this.uploads.get(file);
    if (upload && !upload.isActive) this.uploads.delete(file);
    const download = this.downloads.get(file);
    if (download?.finished) this.downloads.delete(file);
    this.offers.delete(file);
  }

  private status(file: string | undefined): Promise<FileInfo[]> {
    this.requireReady();
    return this.requests.start(this.link.requestTimeoutMs, 'file status request', (rid) =>
      this.link.send({ type: 'file_status', rid, ...(file !== undefined ? { file } : {}) }),
    );
  }

  private async fetchOffer(file: string): Promise<KnownOffer> {
    const [info] = await this.status(file);
    const offer = info && info.to === this.link.me ? this.offerFromInfo(info) : undefined;
    if (!offer) throw new ClassChatError('unknown_file', `there is no file ${file} for you on the server`);
    if (TERMINAL.has(info.state)) throw new ChatClientError('file_closed', `that file is no longer available (${info.state})`);
    return offer;
  }

  private offerFromInfo(info: FileInfo): KnownOffer | undefined {
    const text = this.services.openBox({ from: info.from, to: info.to, id: info.id, box: info.box });
    const message: ChatMessage = { type: 'msg', seq: info.seq, id: info.id, from: info.from, to: info.to, ts: info.ts, box: info.box, file: { id: info.file, size: info.size, chunkBytes: info.chunkBytes } };
    const view = this.describe(message, text);
    if (!view) return undefined;
    return this.offers.get(info.file) ?? { view, secrets: parseFileSecrets(text!)!, ref: message.file! };
  }

  private requireReady(): void {
    if (!this.link.ready) throw new ChatClientError('not_connected', 'not connected to the server; try again once connected');
  }
}
