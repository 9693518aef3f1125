/** Start/Stop Local Server and Copy Server Address: the in-process server (local-server.ts) and its notices. */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { CommandHandlers, CONTEXT_KEYS } from './command-ids';
import { showErrorText } from './error-notice';
import { LocalServer } from './local-server';
import * as notices from './notices';
import { readLocalServerSettings, SettingsError } from './settings';
import { readSetting } from './workspace-settings';

/** What the local server commands need from the rest of the extension. */
export interface LocalServerHost {
  /** The server keeps its data under globalStorage unless classchat.localServer.dataDir says where. */
  readonly context: Pick<vscode.ExtensionContext, 'globalStorageUri'>;
  readonly output: vscode.LogOutputChannel;
  /** Whether a chat session exists ("Connect to It" is offered only without one). */
  hasSession(): boolean;
  connect(target: { host: string; port: number }): Promise<void>;
}

export class LocalServerController {
  private server: LocalServer | undefined;

  constructor(private readonly host: LocalServerHost) {
    void setServerRunning(false);
  }

  commands(): Pick<CommandHandlers, 'startLocalServer' | 'stopLocalServer' | 'copyServerAddress'> {
    return {
      startLocalServer: () => this.start(),
      stopLocalServer: () => this.stop(),
      copyServerAddress: () => this.copyAddress(),
    };
  }

  async start(): Promise<void> {
    if (this.server) return this.showAddress();
    let settings;
    try {
      settings = readLocalServerSettings(readSetting);
    } catch (error) {
      if (error instanceof SettingsError) return showErrorText({ message: error.message, actions: ['openSettings'], setting: error.setting });
      throw error;
    }
    const dataDir = settings.dataDir ?? join(this.host.context.globalStorageUri.fsPath, 'server');
    const output = this.host.output;
    try {
      await mkdir(dataDir, { recursive: true });
      this.server = await LocalServer.start({ host: settings.host, port: settings.port, dataDir, log: (line) => output.info(`[server] ${line}`) });
    } catch (error) {
      const code = error instanceof Error && 'code' in error ? String(error.code) : '';
      const detail = error instanceof Error ? error.message : String(error);
      output.error(`could not start the local server: ${detail}`);
      const message =
        code === 'EADDRINUSE'
          ? `Port ${settings.port} is already in use (another ClassChat server, or another program). Choose another port in the setting classchat.localServer.port, or 0 for any free port.`
          : `Could not start the ClassChat server: ${detail}`;
      return showErrorText({ message, actions: ['retry', 'openSettings'], setting: 'classchat.localServer.port' }, () => this.start());
    }
    output.info(`local server listening on ${this.server.host}:${this.server.port}, data in ${dataDir}`);
    await setServerRunning(true);
    await this.showAddress(true);
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await setServerRunning(false);
    await server.close();
    this.host.output.info('local server stopped; everything is saved');
    void notices.info('ClassChat server stopped; everything is saved.');
  }

  async copyAddress(): Promise<void> {
    const address = this.server?.addresses()[0];
    if (!address) return;
    await vscode.env.clipboard.writeText(address);
    void notices.statusMessage(`ClassChat: copied ${address}`, 3000);
  }

  /** Stops the server quietly, flushing its store (deactivate). */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await server?.close();
  }

  private async showAddress(offerConnect = false): Promise<void> {
    const server = this.server;
    if (!server) return;
    const addresses = server.addresses();
    const local = server.host === '127.0.0.1' ? ' Only this computer can connect; set classchat.localServer.host to 0.0.0.0 to let classmates in.' : '';
    const actions = ['Copy Address', ...(offerConnect && !this.host.hasSession() ? ['Connect to It'] : [])];
    const choice = await notices.info(`ClassChat server running. Classmates connect to ${addresses.join(' or ')}.${local}`, ...actions);
    if (choice === 'Copy Address') await this.copyAddress();
    if (choice === 'Connect to It') await this.host.connect({ host: '127.0.0.1', port: server.port });
  }
}

function setServerRunning(running: boolean): Thenable<unknown> {
  return vscode.commands.executeCommand('setContext', CONTEXT_KEYS.serverRunning, running);
}
