/**
 * The extension's commands in a real extension host, against a real ClassChat server on
 * 127.0.0.1 with a classmate (bob) on the client library watching who is online.
 */
import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import { ChatClient } from '../../src/client';
import { MemoryKeyStore } from '../../src/client/key-store';
import { MemoryTrustStore } from '../../src/client/trust-store';
import { startTestServer, TestServer } from '../helpers/test-server';

const EXTENSION_ID = 'classchat.classchat';

async function until(probe: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('ClassChat commands in the editor', () => {
  let server: TestServer;
  let bob: ChatClient;
  const settings = () => vscode.workspace.getConfiguration('classchat');

  before(async () => {
    server = await startTestServer();
    bob = new ChatClient({ host: '127.0.0.1', port: server.port, name: 'bob', keyStore: new MemoryKeyStore(), trustStore: new MemoryTrustStore() });
    bob.on('error', () => undefined);
    await bob.connect();
  });

  after(async () => {
    await vscode.commands.executeCommand('classchat.disconnect');
    for (const key of ['host', 'port', 'userName']) await settings().update(key, undefined, vscode.ConfigurationTarget.Global);
    await bob?.close();
    await server?.close();
  });

  it('registers every command its package.json contributes', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not installed in this editor`);
    await extension.activate();
    const contributed = (extension.packageJSON as { contributes: { commands: Array<{ command: string }> } }).contributes.commands.map((c) => c.command);
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.ok(contributed.length >= 9, 'contributed commands not found');
    assert.deepEqual(contributed.filter((command) => !registered.has(command)), []);
  });

  it('Connect logs in with the configured name; Disconnect logs out (as bob sees it)', async () => {
    await settings().update('host', '127.0.0.1', vscode.ConfigurationTarget.Global);
    await settings().update('port', server.port, vscode.ConfigurationTarget.Global);
    await settings().update('userName', 'carol', vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('classchat.connect');
    await until(() => bob.roster.get('carol')?.online === true, 'bob to see carol online');
    await vscode.commands.executeCommand('classchat.disconnect');
    await until(() => bob.roster.get('carol')?.online === false, 'bob to see carol go offline');
  });
});
