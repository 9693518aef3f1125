/**
 * Receiving files: an offer becomes a notification "bob sent you report.pdf (2.1 MB)" with
 * Save…/Decline (the chat's file card runs the same flows). Save… asks where, in the download
 * folder, receives with a cancellable progress notification, then offers to open the file.
 */
import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import type { FileOfferView } from '../client/file-transfer-types';
import { offerText } from '../../webview/file-format';
import type { ChatSession } from './chat-session';
import { cancelTransfer, FileFlowHost, runTransfer } from './file-commands';
import * as notices from './notices';
import { showErrorText } from './error-notice';
import { readDownloadFolder, SettingsError } from './settings';
import { readSetting } from './workspace-settings';

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export class FileReceiver {
  /** Offers with a Save… flow running: a second Save… (card and notification) is ignored. */
  private readonly saving = new Set<string>();

  constructor(private readonly host: FileFlowHost) {}

  /** Announces the session's offers as they come (and those found waiting at login). */
  attach(session: ChatSession): void {
    session.on('fileOffer', (offer) => {
      this.offered(session, offer).catch((error: unknown) => this.host.output.error(`file offer ${offer.file}: ${String(error)}`));
    });
  }

  private async offered(session: ChatSession, offer: FileOfferView): Promise<void> {
    const choice = await notices.info(offerText(offer.from, offer.safeName, offer.size), 'Save…', 'Decline');
    if (this.host.session() !== session) return;
    if (choice === 'Save…') await this.save(offer.file);
    if (choice === 'Decline') this.decline(offer.file);
  }

  decline(file: string): void {
    const session = this.host.session();
    try {
      if (!session) throw new Error('not connected');
      session.declineFile(file);
    } catch (error) {
      void notices.error(`ClassChat: could not decline the file: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Save…: a save dialog in the download folder, then the download with progress, then "Open". */
  async save(file: string): Promise<void> {
    if (this.saving.has(file)) return;
    this.saving.add(file);
    const session = this.host.session();
    try {
      await this.saveOnce(session, file);
    } finally {
      this.saving.delete(file);
      // The card's buttons wait for the host: redraw it, whatever happened.
      session?.refreshFileCard(file);
    }
  }

  private async saveOnce(session: ChatSession | undefined, file: string): Promise<void> {
    const offer = session?.fileOffer(file);
    if (!session || !offer) {
      void notices.error('ClassChat: that file offer is not available any more. Connect again to see the files waiting for you.');
      return;
    }
    let folder: string;
    try {
      folder = readDownloadFolder(readSetting, homedir(), isDirectory);
    } catch (error) {
      if (!(error instanceof SettingsError)) throw error;
      return showErrorText({ message: error.message, actions: ['openSettings'], setting: error.setting });
    }
    const target = await notices.saveFile({
      defaultUri: vscode.Uri.file(join(folder, offer.safeName)),
      title: `Save ${offer.safeName} from ${offer.from}`,
      saveLabel: 'Save',
    });
    // Dismissed: the offer keeps waiting (Save… on its card asks again).
    if (!target || this.host.session() !== session) return;
    const path = await this.receive(session, offer, target.fsPath);
    if (path === undefined) return;
    this.host.output.info(`saved ${offer.safeName} from ${offer.from} as ${path}`);
    const choice = await notices.info(`Saved ${basename(path)}`, 'Open');
    if (choice === 'Open') await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(path));
  }

  /** The download, with a cancellable progress notification; the saved path, or undefined. */
  private async receive(session: ChatSession, offer: FileOfferView, target: string): Promise<string | undefined> {
    const outcome = await runTransfer(
      `Receiving ${offer.safeName} from ${offer.from}`,
      // The client never overwrites: an existing name becomes "name (1).ext" (done says which).
      () => session.acceptFile(offer.file, dirname(target), basename(target)),
      (download) => download.done,
      () => cancelTransfer(session, offer.file, this.host.output),
    );
    if (outcome.ok) return outcome.value;
    const message = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
    this.host.output.warn(`receiving ${offer.file} from ${offer.from}: ${message}`);
    if (outcome.cancelledByUser) void notices.statusMessage(`ClassChat: cancelled receiving ${offer.safeName}`, 4000);
    else void notices.error(`ClassChat: could not receive ${offer.safeName} from ${offer.from}: ${message}`);
    return undefined;
  }
}
