/**
 * The extension's commands and what they share: the current chat session, the local server,
 * the status bar item. Logic that needs no vscode lives in the pure modules it calls.
 */
import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import * as vscode from 'vscode';
import { ChatSession } from './chat-session';
import type { ChatViewModel } from './chat-view-model';
import type { ClassmatesProvider } from './classmates-view';
import { CommandHandlers, CONTEXT_KEYS } from './command-ids';
import { describeConnectError } from './error-text';
import { FilesController } from './files-controller';
import { showErrorText } from './error-notice';
import { LocalServerController } from './local-server-controller';
import * as notices from './notices';
import { MementoSeenStore, MementoTrustStore, seenKeyName, trustKeyName } from './memento-trust-store';
import { SecretKeyStore, secretKeyName } from './secret-key-store';
import { readConnectionSettings, SettingsError, suggestUserName, TlsSettings, userNameProblem } from './settings';
import { readSetting, saveUserName } from './workspace-settings';
import type { ClientTlsOptions } from '../client/tls';
import { ChatController } from './chat-controller';
import { statusText } from './status-text';
import { TrustController } from './trust-controller';

const CLIENT_NAME = 'classchat-vscode/0.1.0';

/** The client's TLS options from the settings, reading the CA file; a bad file is a SettingsError. */
async function readTlsFiles(settings: TlsSettings | undefined): Promise<ClientTlsOptions | undefined> {
  if (!settings) return undefined;
  if (settings.caFile === undefined) return { fingerprint: settings.fingerprint };
  let ca: string;
  try {
    ca = await readFile(settings.caFile, 'utf8');
  } catch (error) {
    throw new SettingsError('classchat.tls.caFile', `The CA file (classchat.tls.caFile) ${settings.caFile} cannot be read: ${(error as Error).message}`);
  }
  if (!ca.includes('-----BEGIN CERTIFICATE-----')) throw new SettingsError('classchat.tls.caFile', `The CA file (classchat.tls.caFile) ${settings.caFile} holds no PEM certificate.`);
  return { fingerprint: settings.fingerprint, ca };
}

export class Controller implements vscode.Disposable {
  private session: ChatSession | undefined;
  private readonly server: LocalServerController;
  private readonly chat: ChatController;
  private readonly trust: TrustController;
  private readonly statusItem: vscode.StatusBarItem;
  /** Sessions whose first login succeeded (their later failures are reported by 'ended'). */
  private readonly loggedIn = new WeakSet<ChatSession>();
  private readonly files: FilesController;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly chatView: ChatViewModel,
    classmates: ClassmatesProvider,
    private readonly output: vscode.LogOutputChannel,
  ) {
    this.statusItem = vscode.window.createStatusBarItem('classchat.status', vscode.StatusBarAlignment.Left, 50);
    this.statusItem.name = 'ClassChat';
    this.statusItem.command = 'classchat.openChat';
    this.updateStatus();
    this.statusItem.show();
    void this.setContext(CONTEXT_KEYS.state, 'disconnected');
    this.server = new LocalServerController({
      context,
      output,
      hasSession: () => this.session !== undefined,
      connect: (target) => this.connect(target),
    });
    this.chat = new ChatController({ session: () => this.session, connect: () => this.connect(), chatView, classmates });
    this.trust = new TrustController({
      session: () => this.session,
      connect: () => this.connect(),
      pickClassmate: (title, filter) => this.chat.pickClassmate(title, filter),
    });
    this.files = new FilesController({ session: () => this.session, connect: () => this.connect(), showConversation: (name) => this.chatView.open(name), output });
  }

  /** One handler per command id (checked by the compiler against COMMANDS). */
  handlers(): CommandHandlers {
    return {
      connect: () => this.connect(),
      disconnect: () => this.disconnect(),
      ...this.server.commands(),
      ...this.chat.commands(),
      ...this.trust.commands(),
      ...this.files.commands(),
    };
  }

  /** A file card's Save… in the chat view (errors shown here: nothing awaits it). */
  saveFile(file: string): Promise<void> {
    return this.files.saveFile(file);
  }

  /** Connects on start-up when the user asked for it and a name is set. */
  autoConnect(): void {
    try {
      const settings = readConnectionSettings(readSetting);
      if (settings.autoConnect && settings.userName) void this.connect();
    } catch {
      // Reported when the user connects by hand.
    }
  }

  // ---- connecting ----

  async connect(target?: { host: string; port: number }): Promise<void> {
    if (this.session && this.session.connection.status !== 'disconnected') {
      await this.chat.openChat();
      return;
    }
    let settings;
    let tls: ClientTlsOptions | undefined;
    try {
      settings = readConnectionSettings(readSetting);
      // The local server (target) is plain TCP on loopback, whatever the TLS settings say.
      tls = target ? undefined : await readTlsFiles(settings.tls);
    } catch (error) {
      return showErrorText(describeConnectError(error, '', ''));
    }
    const host = target?.host ?? settings.host;
    const port = target?.port ?? settings.port;
    const name = settings.userName ?? (await this.askUserName());
    if (name === undefined) return;
    await this.closeSession();
    const session = new ChatSession({
      host,
      port,
      name,
      joinCode: settings.joinCode,
      keyStore: new SecretKeyStore(this.context.secrets, secretKeyName(host, port, name)),
      trustStore: new MementoTrustStore(this.context.globalState, trustKeyName(host, port, name)),
      seenStore: new MementoSeenStore(this.context.globalState, seenKeyName(host, port, name)),
      clientName: CLIENT_NAME,
      tls,
    });
    this.useSession(session);
    try {
      await notices.progress(
        { location: vscode.ProgressLocation.Window, title: `ClassChat: connecting to ${host}:${port}…` },
        () => session.connect(),
      );
      this.loggedIn.add(session);
      this.output.info(`connected to ${host}:${port} as ${name}`);
    } catch (error) {
      this.output.warn(`could not connect to ${host}:${port} as ${name}: ${String(error)}`);
      if (this.session === session) await showErrorText(describeConnectError(error, `${host}:${port}`, name), () => this.connect(target));
    }
  }

  async disconnect(): Promise<void> {
    await this.closeSession();
  }

  private useSession(session: ChatSession): void {
    this.session = session;
    session.on('connection', (connection) => {
      if (this.session !== session) return;
      void this.setContext(CONTEXT_KEYS.state, connection.status);
      this.updateStatus();
    });
    session.on('change', (change) => {
      if (change.kind === 'list') this.updateStatus();
    });
    this.trust.attach(session);
    session.on('error', (error) => this.output.warn(`${session.server}: ${error.message}`));
    this.files.attach(session);
    session.on('ended', (error) => {
      // After the first login, a session ends only for good reasons to tell (replaced, name taken
      // after a server reset...): say so once. A failed first connect is reported by connect().
      if (!error || this.session !== session || !this.loggedIn.has(session)) return;
      this.output.warn(`${session.server}: disconnected: ${error.message}`);
      void showErrorText(describeConnectError(error, session.server, session.name), () => this.connect());
    });
    this.chat.attach(session);
    void this.setContext(CONTEXT_KEYS.state, session.connection.status);
    this.updateStatus();
  }

  private async closeSession(): Promise<void> {
    const session = this.session;
    if (!session) return;
    this.session = undefined;
    this.chat.detach();
    void this.setContext(CONTEXT_KEYS.state, 'disconnected');
    this.updateStatus();
    await session.close();
  }

  private async askUserName(): Promise<string | undefined> {
    const suggestion = suggestUserName(userInfo().username);
    const raw = await notices.input({
      title: 'ClassChat: your name in the class',
      prompt: 'Classmates see this name. 1-32 of a-z, 0-9, "_", "." and "-". It is saved in the setting classchat.userName.',
      value: suggestion ?? '',
      ignoreFocusOut: true,
      validateInput: (value) => userNameProblem(value),
    });
    if (raw === undefined || userNameProblem(raw) !== undefined) return undefined;
    const name = raw.trim().toLowerCase();
    await saveUserName(name);
    return name;
  }

  // ---- shared ----

  private updateStatus(): void {
    const connection = this.session?.connection ?? { status: 'disconnected' as const, online: 0 };
    const status = statusText(connection, this.session?.conversations.totalUnread() ?? 0);
    this.statusItem.text = status.text;
    this.statusItem.tooltip = status.tooltip;
  }

  private setContext(key: string, value: unknown): Thenable<unknown> {
    return vscode.commands.executeCommand('setContext', key, value);
  }

  /** Says goodbye to the server and stops the local server, flushing its store (deactivate). */
  async shutdown(): Promise<void> {
    await this.closeSession().catch((error: unknown) => this.output.warn(`closing the session: ${String(error)}`));
    await this.server.close();
  }

  dispose(): void {
    this.statusItem.dispose();
    void this.shutdown();
  }
}
