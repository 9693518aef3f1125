/**
 * The file cards of one session: where each transfer stands (offered, sending 45%, done,
 * declined…), fed by the client's transfers and the server's file states, and pushed into the
 * conversation that holds the offer. No vscode: tested against a real server in plain mocha.
 */
import type { FileOfferView, TransferProgress } from '../client/file-transfer-types';
import type { FileStatus } from '../client/file-transfers';
import { previewOfFile } from '../client/image-types';
import type { FileState } from '../protocol/frames';
import { percentOf } from '../../webview/file-format';
import type { FileCardState, FileCardView } from '../../webview/protocol';
import type { Conversations } from './conversations';

/** What the card of a transfer needs from an upload or a download. */
interface Transfer {
  on(event: 'progress', listener: (progress: TransferProgress) => void): unknown;
}

const FINAL: ReadonlySet<FileCardState> = new Set(['done', 'declined', 'cancelled', 'failed']);

export class FileCards {
  private readonly cards = new Map<string, { conversation: string; card: FileCardView }>();
  /** Offers to this user (the Save flow needs their names and senders). */
  private readonly offers = new Map<string, FileOfferView>();
  /** Offers already announced to the user in this session (a notification each, once). */
  private readonly announced = new Set<string>();

  constructor(private readonly conversations: Conversations) {}

  /** The latest card of `file`, if this session has seen the transfer. */
  known(file: string): FileCardView | undefined {
    return this.cards.get(file)?.card;
  }

  /** A card seen in a message (live or history): registered, or replaced by what is known. */
  track(conversation: string, card: FileCardView): FileCardView {
    const known = this.known(card.file);
    if (known) return known;
    this.cards.set(card.file, { conversation, card });
    return card;
  }

  offer(file: string): FileOfferView | undefined {
    return this.offers.get(file);
  }

  /** An offer to this user arrived: true the first time, when it is still waiting for a decision. */
  announce(offer: FileOfferView): boolean {
    this.offers.set(offer.file, offer);
    const card = this.known(offer.file);
    if (this.announced.has(offer.file) || (card && FINAL.has(card.state))) return false;
    this.announced.add(offer.file);
    return true;
  }

  /** Our offer is stored and uploading (from `path`): a card in the conversation, updated as it goes. */
  outgoing(upload: Transfer & { file: string | undefined; offer?: { id: string; seq: number; ts: number }; to: string; name: string; size: number; done: Promise<FileState> }, path?: string): void {
    const file = upload.file;
    if (file === undefined) return;
    const card: FileCardView = { file, name: upload.name, size: upload.size, direction: 'outgoing', peer: upload.to, state: 'sending', percent: 0 };
    this.cards.set(file, { conversation: upload.to, card });
    if (upload.offer) this.conversations.addOwnFile(upload.offer.id, upload.to, upload.offer.seq, upload.offer.ts, card);
    this.follow(file, upload, 'sending');
    // Read now, while the file is surely there (a pasted file's copy goes once it is uploaded).
    if (path !== undefined) this.preview(file, path);
    upload.done.then(
      (state) => this.set(file, state === 'delivered' ? { state: 'done' } : { state: 'offered' }),
      (error: unknown) => this.set(file, ended(error)),
    );
  }

  /** We accepted an offer and the download started. */
  incoming(download: Transfer & { file: string; from: string; done: Promise<string> }, offer: FileOfferView | undefined): void {
    const file = download.file;
    const existing = this.known(file);
    const base: FileCardView = existing ?? { file, name: offer?.name ?? file, size: offer?.size ?? 0, direction: 'incoming', peer: download.from, state: 'offered' };
    this.cards.set(file, { conversation: download.from, card: { ...base, state: 'receiving', percent: 0, reason: undefined } });
    this.conversations.updateFileCard(download.from, this.known(file)!);
    this.follow(file, download, 'receiving');
    download.done.then(
      (path) => {
        this.set(file, { state: 'done' });
        this.preview(file, path);
      },
      (error: unknown) => this.set(file, ended(error)),
    );
  }

  /** The server reported a state for a transfer of ours (either side). */
  serverState(file: string, state: FileState, by: string | undefined): void {
    const card = this.known(file);
    if (!card) return;
    switch (state) {
      case 'uploading':
        return;
      case 'uploaded':
        if (card.direction === 'outgoing') this.set(file, { state: 'offered' });
        return;
      case 'delivered':
        this.set(file, { state: 'done' });
        return;
      case 'declined':
      case 'cancelled':
        this.set(file, { state });
        return;
      case 'failed':
        this.set(file, { state: 'failed', reason: by ? `reported by ${by}` : undefined });
        return;
      case 'expired':
        this.set(file, { state: 'failed', reason: 'it expired on the server before it was delivered' });
    }
  }

  /** The server's list of our files at login: cards brought up to date; the offers still waiting. */
  status(files: readonly FileStatus[], me: string): FileOfferView[] {
    const waiting: FileOfferView[] = [];
    for (const status of files) {
      const incoming = status.to === me;
      if (!this.cards.has(status.file)) {
        const card: FileCardView = { file: status.file, name: status.name, size: status.size, direction: incoming ? 'incoming' : 'outgoing', peer: incoming ? status.from : status.to, state: 'offered' };
        this.cards.set(status.file, { conversation: card.peer, card });
      }
      if (incoming && (status.state === 'uploading' || status.state === 'uploaded')) {
        const card = this.known(status.file);
        if (card?.state === 'offered') waiting.push(status);
      } else {
        this.serverState(status.file, status.state, undefined);
      }
    }
    return waiting;
  }

  /** Sends the card again unchanged: the webview disables its buttons until the host answers. */
  refresh(file: string): void {
    const entry = this.cards.get(file);
    if (entry) this.conversations.updateFileCard(entry.conversation, entry.card);
  }

  private follow(file: string, transfer: Transfer, state: 'sending' | 'receiving'): void {
    transfer.on('progress', (progress) => {
      const card = this.known(file);
      const percent = percentOf(progress.bytes, progress.total);
      // One update per whole percent: the webview redraws the row each time.
      if (card && card.state === state && card.percent !== percent) this.set(file, { percent });
    });
  }

  /** An image's preview on its card, once read (PNG, JPEG, GIF, WebP by their bytes, at most 5 MiB). */
  private preview(file: string, path: string): void {
    void previewOfFile(path).then((preview) => {
      const entry = this.cards.get(file);
      if (preview === undefined || !entry) return;
      entry.card = { ...entry.card, preview };
      this.conversations.updateFileCard(entry.conversation, entry.card);
    });
  }

  private set(file: string, patch: Partial<FileCardView>): void {
    const entry = this.cards.get(file);
    if (!entry || FINAL.has(entry.card.state)) return;
    const card: FileCardView = { ...entry.card, ...patch };
    if (card.state !== 'sending' && card.state !== 'receiving') delete card.percent;
    if (card.state !== 'failed') delete card.reason;
    entry.card = card;
    this.conversations.updateFileCard(entry.conversation, card);
  }
}

/** The card state for a transfer that ended with `error` (ChatClientError codes). */
function ended(error: unknown): Partial<FileCardView> {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  if (code === 'cancelled') return { state: 'cancelled' };
  if (code === 'declined') return { state: 'declined' };
  return { state: 'failed', reason: error instanceof Error ? error.message : String(error) };
}
