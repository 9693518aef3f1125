/**
 * LogStore, the embedded default Store: an append-only log file in a data directory, pure
 * JavaScript on node:fs (it loads inside the VS Code extension host). Every record is fsynced
 * before its promise resolves, with group commit; everything live is indexed in memory; the log
 * is recovered on open (torn tail cut off, corrupt lines skipped) and compacted when mostly dead,
 * beside new commits (log-writer.ts, log-compaction.ts).
 *
 * The dedupe window on (from, id) is the set of retained messages: once compaction drops a
 * message (acknowledged by all and older than the newest `historyLimit`), resending its id
 * stores it again.
 */
import { KeyedQueue } from './keyed-queue';
import { constants } from 'node:fs';
import { mkdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { acquireDataDirLock, errorCode, releaseDataDirLock } from './data-dir-lock';
import { DelayedAcks } from './delayed-acks';
import { COMPACT_FILE } from './log-compaction';
import { LogIndex } from './log-index';
import { LogRecord, messageToRecord } from './log-records';
import { LogWriter } from './log-writer';
import { Recovery, replayLog } from './log-recovery';
import { openStoreFile, StoreFile, syncDirectory } from './store-file';
import { SeqReservation } from './seq-reservation';
import type { Role } from '../../protocol/room-frames';
import type { Room } from '../rooms/room-book';
import type { ModerationState } from '../moderation/moderation-state';
import type { AppendResult, DeviceRecord, HistoryQuery, NewMessage, Store, StoredMessage, UserRecord } from './store';
import { NameTakenError } from './store';
import { copyDeviceRecord, mergeCursors } from './device-copies';

export { isDataDirLocked } from './data-dir-lock';
export type { Recovery } from './log-recovery';
export type { StoreFile } from './store-file';

export const LOG_FILE = 'classchat.log';
export interface LogStoreOptions {
  dataDir: string;
  /** Newest messages kept for history by compaction even when everyone has them (default 10000). */
  historyLimit?: number;
  /** Compaction is considered only once the log has this many records (default 10000). */
  compactMinRecords?: number;
  /** Recovery and compaction reports. */
  log?: (message: string) => void;
  /** Opens files; tests replace it to inject faults such as ENOSPC. */
  openFile?: (path: string, flags: number, mode: number) => Promise<StoreFile>;
  /**
   * How long an ack waits before it is written (default 100 ms): all of one user's acks in that
   * time become one record. Acks are cumulative and delivery is at least once, so a crash in that
   * window only means those messages are written to the user again at the next login.
   */
  ackDelayMs?: number;
}

type State = 'new' | 'opening' | 'open' | 'closing' | 'closed';

export class LogStore implements Store {
  private readonly dataDir: string;
  private readonly logPath: string;
  private readonly historyLimit: number;
  private readonly compactMinRecords: number;
  private readonly log: (message: string) => void;
  private readonly openFile: (path: string, flags: number, mode: number) => Promise<StoreFile>;

  private state: State = 'new';
  private recovered: Recovery = { records: 0, droppedTornTail: false, droppedCorrupt: 0 };
  /** Highest seq handed out, including messages still being written. */
  private assignedHead = 0;
  /** Seqs reserved on disk ahead of use (classchat.seq): never handed out twice, whatever the log lost. */
  private seqs: SeqReservation | undefined;
  /** The log file, its group commits and compactions, from open until close. */
  private logWriter: LogWriter | undefined;
  /** Before open: an empty index, so reads of a store not yet open find nothing. */
  private readonly unopenedIndex = new LogIndex();

  private readonly inFlightAppends = new Map<string, Promise<AppendResult>>();
  private readonly acks: DelayedAcks;
  /** Device acks, delayed the same way; keyed `name NUL device` (neither holds a NUL). */
  private readonly deviceAcks: DelayedAcks;
  /**
   * putUser/deleteUser of one name run one at a time, each seeing the previous one's result;
   * different names proceed together and share group commits (one fsync for many registrations).
   */
  private readonly userOps = new KeyedQueue();

  constructor(options: LogStoreOptions) {
    this.dataDir = options.dataDir;
    this.logPath = join(options.dataDir, LOG_FILE);
    this.historyLimit = Math.max(0, options.historyLimit ?? 10000);
    this.compactMinRecords = Math.max(1, options.compactMinRecords ?? 10000);
    this.log = options.log ?? (() => {});
    this.openFile = options.openFile ?? openStoreFile;
    this.acks = new DelayedAcks(
      Math.max(0, options.ackDelayMs ?? 100),
      (name, seq) => this.writer().enqueue({ t: 'ack', name, seq }),
      () => this.writer().start(),
    );
    this.deviceAcks = new DelayedAcks(
      Math.max(0, options.ackDelayMs ?? 100),
      (key, seq) => {
        const [name, device] = key.split('\0');
        return this.writer().enqueue({ t: 'dack', name, device, seq });
      },
      () => this.writer().start(),
    );
  }

  /** The index of the open log (a compaction replaces it). */
  private get index(): LogIndex {
    return this.logWriter?.index ?? this.unopenedIndex;
  }

  /** What recovery did on open: good records replayed, a torn tail cut off, corrupt lines skipped. */
  get recovery(): Recovery {
    return { ...this.recovered };
  }

  async open(): Promise<void> {
    if (this.state !== 'new') throw new Error(`the store for ${this.dataDir} was already opened`);
    this.state = 'opening';
    let locked = false;
    let file: StoreFile | undefined;
    try {
      await mkdir(this.dataDir, { recursive: true, mode: 0o700 });
      await acquireDataDirLock(this.dataDir);
      locked = true;
      await unlink(join(this.dataDir, COMPACT_FILE)).catch(ignoreMissing);
      file = await this.openFile(this.logPath, constants.O_RDWR | constants.O_CREAT, 0o600);
      const data = await file.readFile();
      // A log just created needs its directory entry made durable too.
      if (data.length === 0) await syncDirectory(this.dataDir);
      const index = new LogIndex();
      const replay = replayLog(data, index, this.log, this.logPath);
      if (replay.validLength < data.length) {
        await file.truncate(replay.validLength);
        await file.datasync();
      }
      this.seqs = await SeqReservation.open(this.dataDir, this.openFile);
      this.assignedHead = Math.max(index.headSeq(), this.seqs.highWater);
      await this.seqs.cover(this.assignedHead + 1);
      const parts = { dataDir: this.dataDir, logPath: this.logPath, historyLimit: this.historyLimit, compactMinRecords: this.compactMinRecords, openFile: this.openFile, log: this.log };
      this.logWriter = new LogWriter(
        { ...parts, isOpen: () => this.state === 'open', beforeCommit: () => this.seqs?.cover(this.assignedHead) },
        { file, index, fileSize: replay.validLength, recordCount: replay.records + replay.droppedCorrupt },
      );
      this.recovered = { records: replay.records, droppedTornTail: replay.droppedTornTail, droppedCorrupt: replay.droppedCorrupt };
      this.state = 'open';
      // A delete whose compaction did not finish before the last stop: erase its bytes now.
      this.logWriter.compactIfErased();
    } catch (error) {
      await file?.close().catch(() => {});
      if (locked) await releaseDataDirLock(this.dataDir).catch(() => {});
      this.state = 'new';
      throw error;
    }
  }

  async close(): Promise<void> {
    if (this.state === 'closed' || this.state === 'closing') throw new Error(`the store for ${this.dataDir} is already closed`);
    if (this.state !== 'open') throw new Error(`the store for ${this.dataDir} is not open`);
    this.state = 'closing';
    this.acks.flush();
    this.deviceAcks.flush();
    await this.userOps.idle();
    await this.settled();
    try {
      await this.logWriter?.close();
      await this.seqs?.settle(this.assignedHead).catch((error: unknown) => this.log(`${this.dataDir}: keeping the larger seq reservation: ${String(error)}`));
    } finally {
      this.state = 'closed';
      await releaseDataDirLock(this.dataDir);
    }
  }

  async listUsers(): Promise<UserRecord[]> {
    this.assertOpen();
    return this.index.listUsers();
  }

  putUser(user: { name: string; publicKey: string | null }): Promise<UserRecord> {
    this.assertOpen();
    return this.userOps.run(user.name, async () => {
      const existing = this.index.getUser(user.name);
      if (existing && existing.publicKey === user.publicKey) return existing;
      if (existing && existing.publicKey !== null) throw new NameTakenError(existing);
      // A plain-text user keeps its ack; a name taking a key starts afresh (see Store.putUser).
      const acked = existing && user.publicKey === null ? existing.ackedSeq : existing ? this.assignedHead : this.index.startFor(user.name, this.assignedHead);
      const since = user.publicKey === null ? existing?.historySince : acked;
      await this.write({ t: 'user', name: user.name, key: user.publicKey, acked, ...(since ? { since } : {}) });
      return this.index.getUser(user.name) ?? { name: user.name, publicKey: user.publicKey, ackedSeq: acked, ...(since ? { historySince: since } : {}) };
    });
  }

  deleteUser(name: string): Promise<boolean> {
    this.assertOpen();
    return this.userOps.run(name, async () => {
      if (!this.index.getUser(name)) return false;
      await this.write({ t: 'deluser', name });
      return true;
    });
  }

  async listDevices(): Promise<DeviceRecord[]> {
    this.assertOpen();
    return this.index.listDevices();
  }

  putDevices(record: DeviceRecord): Promise<void> {
    this.assertOpen();
    return this.userOps.run(record.name, async () => {
      if (!this.index.getUser(record.name)) throw new Error(`cannot store devices for ${record.name}: not registered`);
      const cursors = mergeCursors(this.index.getDevices(record.name)?.cursors, record.cursors);
      await this.write({ t: 'devices', ...copyDeviceRecord(record), cursors });
    });
  }

  async setDeviceAcked(name: string, device: string, seq: number): Promise<void> {
    this.assertOpen();
    const current = this.index.getDevices(name);
    const target = Math.min(seq, this.assignedHead);
    const key = `${name}\0${device}`;
    if (!current || target <= Math.max(current.cursors[device] ?? 0, this.deviceAcks.highest(key))) return;
    return this.deviceAcks.add(key, target);
  }

  append(message: NewMessage): Promise<AppendResult> {
    try {
      this.assertOpen();
    } catch (error) {
      return Promise.reject(error);
    }
    const earlier = this.index.findMessage(message.from, message.id);
    if (earlier) return Promise.resolve({ message: earlier, duplicate: true });
    const key = `${message.from}\n${message.id}`;
    const inFlight = this.inFlightAppends.get(key);
    if (inFlight) return inFlight.then((result) => ({ message: result.message, duplicate: true }));

    // Callers pass validated frames; refuse only what could not be read back, before it takes a
    // seq (a full schema check here cost ~10% of the server's time under load).
    if (!Number.isSafeInteger(message.ts) || message.ts < 0) return Promise.reject(new Error('message cannot be stored: ts must be a whole number of milliseconds'));
    const stored: StoredMessage = { ...message, seq: this.assignedHead + 1 };
    const record = messageToRecord(stored);
    this.assignedHead = stored.seq;
    const result = this.write(record).then((): AppendResult => ({ message: stored, duplicate: false }));
    this.inFlightAppends.set(key, result);
    const forget = () => this.inFlightAppends.delete(key);
    result.then(forget, forget);
    return result;
  }

  async readMailbox(name: string, afterSeq: number, limit: number): Promise<StoredMessage[]> {
    this.assertOpen();
    return this.index.readMailbox(name, afterSeq, limit);
  }

  async findBySeq(seq: number): Promise<StoredMessage | undefined> {
    this.assertOpen();
    return this.index.findBySeq(seq);
  }

  async listHeld(): Promise<StoredMessage[]> {
    this.assertOpen();
    return this.index.listHeld();
  }

  async moderation(): Promise<ModerationState> {
    this.assertOpen();
    return this.index.moderation();
  }

  async listRoles(): Promise<Map<string, Role>> {
    this.assertOpen();
    return this.index.listRoles();
  }

  async setRole(name: string, role: Role): Promise<void> {
    this.assertOpen();
    await this.write({ t: 'role', name, role });
  }

  async listBlocks(): Promise<Map<string, Set<string>>> {
    this.assertOpen();
    return this.index.listBlocks();
  }

  async setBlocked(blocker: string, blocked: string, on: boolean): Promise<void> {
    this.assertOpen();
    await this.write({ t: 'block', name: blocker, blocked, on });
  }

  async listRooms(): Promise<Room[]> {
    this.assertOpen();
    return this.index.listRooms();
  }

  async readHistory(query: HistoryQuery): Promise<{ messages: StoredMessage[]; more: boolean }> {
    this.assertOpen();
    return this.index.readHistory(query);
  }

  /**
   * Also never moves past headSeq(): nothing beyond it exists to acknowledge. Resolves once the
   * ack is on disk, which is after up to ackDelayMs (see LogStoreOptions).
   */
  async setAcked(name: string, seq: number): Promise<void> {
    this.assertOpen();
    const user = this.index.getUser(name);
    if (!user) return;
    const target = Math.min(seq, this.assignedHead);
    if (target <= Math.max(user.ackedSeq, this.acks.highest(name))) return;
    return this.acks.add(name, target);
  }

  headSeq(): number {
    return this.assignedHead;
  }

  hasMessage(from: string, id: string): boolean {
    return this.index.findMessage(from, id) !== undefined || this.inFlightAppends.has(`${from}\n${id}`);
  }

  private assertOpen(): void {
    if (this.state !== 'open') throw new Error(`the store for ${this.dataDir} is ${this.state === 'new' || this.state === 'opening' ? 'not open yet' : 'closed'}`);
  }

  /** Queues a record; resolves once it is on disk and applied to the index. */
  private write(record: LogRecord): Promise<void> {
    return this.writer().write(record);
  }

  private writer(): LogWriter {
    if (!this.logWriter) throw new Error(`the store for ${this.dataDir} is not open`);
    return this.logWriter;
  }

  /**
   * Resolves once nothing is being written or compacted (close waits for this; tests use it to
   * see a compaction's outcome).
   */
  async settled(): Promise<void> {
    await this.logWriter?.settled();
  }
}

function ignoreMissing(error: unknown): void {
  if (errorCode(error) !== 'ENOENT') throw error;
}
