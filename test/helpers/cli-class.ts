/**
 * A class in terminals: the built `classchat-server` with its teachers and TAs from a --roles
 * file, and interactive `classchat` clients connected to it, all stopped and removed at the end.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliProcess, spawnCli, stopCli } from '../client/helpers/cli-process';
import { ServerProcess, spawnServer } from './server-process';

export class CliClass {
  private server: ServerProcess | undefined;
  private dataDir = '';
  private home = '';
  private clis: CliProcess[] = [];

  /** `roles`: the --roles file's text. */
  async start(roles = 'mrs.k teacher\n'): Promise<void> {
    this.dataDir = await mkdtemp(join(tmpdir(), 'classchat-class-data-'));
    this.home = await mkdtemp(join(tmpdir(), 'classchat-class-cli-'));
    const rolesFile = join(this.dataDir, 'roles.txt');
    await writeFile(rolesFile, roles);
    this.server = await spawnServer(['--data-dir', join(this.dataDir, 'store'), '--roles', rolesFile]);
    this.clis = [];
  }

  /** An interactive client, once connected. */
  async chat(name: string): Promise<CliProcess> {
    const cli = spawnCli(['--port', String(this.server!.port), '--name', name], { CLASSCHAT_HOME: this.home });
    this.clis.push(cli);
    await cli.waitForOutput(new RegExp(`\\* connected to 127\\.0\\.0\\.1:\\d+ as ${name.replace('.', '\\.')}`));
    return cli;
  }

  async stop(): Promise<void> {
    await Promise.all(this.clis.map(stopCli));
    this.server?.child.kill('SIGTERM');
    await this.server?.exited;
    await rm(this.dataDir, { recursive: true, force: true });
    await rm(this.home, { recursive: true, force: true });
  }
}
