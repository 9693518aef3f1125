/** Connect and Disconnect: the one current chat session, its lifetime, the status bar and the connection state key. */
import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import * as vscode from 'vscode';
import type { ClientTlsOptions } from '../client/tls';
import { ChatSession } from './chat-session';
import { CommandHandlers, CONTEXT_KEYS } from './command-ids';
import { showErrorText } from './error-notice';
import { describeConnectError } from './error-text';
import { MementoSeenStore, MementoTrustStore, seenKeyName, trustKeyName } from './memento-trust-store';
import * as notices from './notices';
import { SecretKeyStore, secretKeyName } from './secret-key-store';
import { readConnectionSettings, SettingsError, suggestUserName, TlsSettings, userNameProblem } from './settings';
import { StatusBar } from './status-bar';
import { readSetting, saveUserName } from './workspace-settings';

const CLIENT_NAME = 'classchat-vscode/0.1.0';

/** What connecting needs from the rest of the extension. */
export interface ConnectionHost {
  /** Where the identity key (secrets) and pinned keys (globalState) are kept. */
  readonly context: Pick<vscode.ExtensionContext, 'secrets' | 'globalState'>;
  readonly output: vscode.LogOutputChannel;
  /** Connect while connected shows the chat instead. */
  openChat(): Promise<void>;
}

/** A feature's part in each session: wired when the session starts, told when it is closed. */
export interface SessionFeature {
  attach(session: ChatSession): void;
  detach?(): void;
}

/** Where a connection goes when it is not the one in the settings (the local server: plain TCP). */
export interface ConnectTarget {
  host: string;
  port: number;
}

export class ConnectionController implements vscode.Disposable {
  private current: ChatSession | undefined;
  private readonly features: SessionFeature[] = [];
  private readonly status = new StatusBar();
  /** Sessions whose first login succeeded (their later failures are reported by 'ended'). */
  private readonly loggedIn = new WeakSet<ChatSession>();

  constructor(private readonly host: ConnectionHost) {
    void setState('disconnected');
  }

  /** Each session is handed to these features, in this order, as it starts. */
  addFeatures(...features: SessionFeature[]): void {
    this.features.push(...features);
  }

  /** The current session, undefined while disconnected. */
  session(): ChatSession | undefined {
    return this.current;
  }

  commands(): Pick<CommandHandlers, 'connect' | 'disconnect'> {
    return {
      connect: () => this.connect(),
      disconnect: () => this.disconnect(),
    };
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

  async connect(target?: ConnectTarget): Promise<void> {
    if (this.current && this.current.connection.status !== 'disconnected') {
      await this.host.openChat();
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
    const name = settings.userName ?? (await askUserName());
    if (name === undefined) return;
    await this.close();
    const { secrets, globalState } = this.host.context;
    const session = new ChatSession({
      host,
      port,
      // The local server (target) has no other nodes.
      ...(target ? {} : { servers: settings.servers }),
      name,
      joinCode: settings.joinCode,
      keyStore: new SecretKeyStore(secrets, secretKeyName(host, port, name)),
      trustStore: new MementoTrustStore(globalState, trustKeyName(host, port, name)),
      seenStore: new MementoSeenStore(globalState, seenKeyName(host, port, name)),
      clientName: CLIENT_NAME,
      tls,
    });
    this.use(session);
    const output = this.host.output;
    try {
      await notices.progress(
        { location: vscode.ProgressLocation.Window, title: `ClassChat: connecting to ${host}:${port}…` },
        () => session.connect(),
      );
      this.loggedIn.add(session);
      output.info(`connected to ${host}:${port} as ${name}`);
    } catch (error) {
      output.warn(`could not connect to ${host}:${port} as ${name}: ${String(error)}`);
      if (this.current === session) await showErrorText(describeConnectError(error, `${host}:${port}`, name), () => this.connect(target));
    }
  }

  async disconnect(): Promise<void> {
    await this.close();
  }

  /** Says goodbye to the server; the features go back to their disconnected state first. */
  async close(): Promise<void> {
    const session = this.current;
    if (!session) return;
    this.current = undefined;
    for (const feature of this.features) feature.detach?.();
    void setState('disconnected');
    this.status.show(undefined);
    await session.close();
  }

  dispose(): void {
    this.status.dispose();
  }

  private use(session: ChatSession): void {
    this.current = session;
    const output = this.host.output;
    session.on('connection', (connection) => {
      if (this.current !== session) return;
      void setState(connection.status);
      this.status.show(session);
    });
    session.on('change', (change) => {
      if (change.kind === 'list') this.status.show(this.current);
    });
    session.on('error', (error) => output.warn(`${session.server}: ${error.message}`));
    session.on('ended', (error) => {
      // After the first login, a session ends only for good reasons to tell (replaced, name taken
      // after a server reset...): say so once. A failed first connect is reported by connect().
      if (!error || this.current !== session || !this.loggedIn.has(session)) return;
      output.warn(`${session.server}: disconnected: ${error.message}`);
      void showErrorText(describeConnectError(error, session.server, session.name), () => this.connect());
    });
    for (const feature of this.features) feature.attach(session);
    void setState(session.connection.status);
    this.status.show(session);
  }
}

function setState(state: string): Thenable<unknown> {
  return vscode.commands.executeCommand('setContext', CONTEXT_KEYS.state, state);
}

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

/** The first Connect without classchat.userName: asks for a name and saves it in that setting. */
async function askUserName(): Promise<string | undefined> {
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
