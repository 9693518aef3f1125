/**
 * `classchat`: the terminal client. Interactive chat on node:readline, or `classchat send` for
 * scripts. Kept thin: connecting, reconnecting, the outbox and acks live in src/client.
 */
import { existsSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { ChatClientError } from '../client/errors';
import { describeError, formatPresence, formatRoster, formatState, formatVerify, printable } from './classchat-format';
import { HELP, parseInput } from './classchat-input';
import { ModerationDesk } from './classchat-moderation';
import { BlockDesk } from './classchat-blocks';
import { DeviceDesk } from './classchat-devices';
import { linkThisComputer, recoverThisComputer } from './classchat-devices-link';
import { Printer } from './classchat-printer';
import { MessageDesk } from './classchat-refs';
import { RoomDesk } from './classchat-rooms';
import { makeClient } from './classchat-connect';
import { FileDesk } from './classchat-files';
import { ConnectionSettings, parseCli, USAGE } from './classchat-options';
import { sendFiles } from './classchat-send-file';
import { UsageError } from './options';

/** Messages to everyone shown at a user's first login. */
const FIRST_LOGIN_HISTORY = 50;

/** How long /quit waits for messages still on their way to the server. */
const QUIT_GRACE_MS = 5000;

/** One line from stdin (the recovery code); what follows it is left for the chat. */
function readLine(): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const stop = () => {
      process.stdin.off('data', onData);
      process.stdin.off('end', onEnd);
      process.stdin.pause();
    };
    const onData = (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const end = text.indexOf('\n');
      if (end === -1) return;
      stop();
      if (end + 1 < text.length) process.stdin.unshift(Buffer.from(text.slice(end + 1), 'utf8'));
      resolve(text.slice(0, end).replace(/\r$/, ''));
    };
    const onEnd = () => {
      stop();
      reject(new Error('no recovery code was typed'));
    };
    process.stdin.on('data', onData);
    process.stdin.once('end', onEnd);
  });
}

/** `classchat send`: connect, send, wait for `sent`, print `sent #<seq>`. */
async function sendOnce(settings: ConnectionSettings, to: string, text: string, timeoutMs: number, unencrypted: boolean): Promise<number> {
  // A script's login must not acknowledge (and so hide) messages waiting for the interactive client.
  const client = makeClient(settings, false);
  client.on('error', () => undefined); // failures that matter reject the send below
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ChatClientError('timeout', `the message was not confirmed within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    const sent = await Promise.race([
      (async () => {
        await client.connect();
        return client.sendText(to, text, { allowUnencrypted: unencrypted });
      })(),
      timeout,
    ]);
    process.stdout.write(`sent #${sent.seq}\n`);
    return 0;
  } finally {
    clearTimeout(timer);
    await client.close();
  }
}

async function chat(settings: ConnectionSettings, downloadDir: string, setup?: 'link' | 'recover'): Promise<number> {
  if (!statSync(downloadDir, { throwIfNoEntry: false })?.isDirectory()) {
    process.stderr.write(`classchat: --download-dir ${downloadDir} is not a directory\n`);
    return 1;
  }
  if (setup) {
    const print = (line: string) => process.stdout.write(line + '\n');
    try {
      if (setup === 'link') await linkThisComputer(settings, settings.devices!.label, print);
      else await recoverThisComputer(settings, settings.devices!.label, readLine, print);
    } catch (error) {
      if (error instanceof UsageError) throw error;
      process.stderr.write(`classchat: the ${setup === 'link' ? 'link' : 'recovery'} failed: ${describeError(error)}\n`);
      return 1;
    }
  }
  const where = `${settings.host}:${settings.port}`;
  const newKey = !existsSync(settings.keyFile);
  const client = makeClient(settings, true);
  const printer = new Printer(process.stdout);
  const files = new FileDesk(client, (line) => printer.print(line), downloadDir);
  const rooms = new RoomDesk(client, (line) => printer.print(line));
  const messages = new MessageDesk(client, (line, alert) => printer.print(line, alert));
  const moderation = new ModerationDesk(client, (line) => printer.print(line));
  const blocks = new BlockDesk(client.blocks, (line) => printer.print(line));
  const devices = new DeviceDesk(client, (line) => printer.print(line));
  let wasConnected = false;
  client.on('state', (state) => {
    const line = formatState(state, where, client.name, wasConnected);
    if (line) printer.print(line);
    if (state.state === 'connected') {
      // A first login has no backlog: show what the class said lately, as the original ClassChat did (PROTOCOL.md 7).
      if (state.welcome.registered && !wasConnected) messages.history('*', FIRST_LOGIN_HISTORY, true);
      wasConnected = true;
      void files.loggedIn();
    }
  });
  client.on('message', (message) => messages.received(message));
  client.on('messageChanged', (change) => messages.changed(change));
  client.on('fileOffer', (offer) => files.offered(offer));
  client.on('fileState', (file, state, by) => files.stateChanged(file, state, by));
  client.on('presence', (user, previous) => {
    const line = formatPresence(user, previous);
    if (line) printer.print(line);
  });
  client.on('error', (error) => printer.print(`! ${describeError(error)}`));
  client.on('keyChanged', (name) => {
    const who = printable(name);
    printer.print(`!! ${who}'s key has CHANGED since you first saw it. Either ${who} reinstalled or lost their key, or someone (the server?) is trying to read your messages.`);
    printer.print(`!! Nothing is sent to ${who} until you accept the new key: compare safety numbers with /verify ${who}, or /accept-key ${who}.`);
  });

  try {
    await client.connect();
  } catch (error) {
    process.stderr.write(`classchat: ${describeError(error)}\n`);
    return 1;
  }
  if (newKey && existsSync(settings.keyFile)) printer.print(`* created your identity key in ${settings.keyFile}; keep it: it is how the server knows you`);
  printer.print('* @name messages and #room messages in group rooms are end-to-end encrypted; messages to everyone can be read by the server');
  /** The safety number last shown by /verify, per name: /verify NAME confirm verifies exactly that one. */
  const shownNumbers = new Map<string, string>();

  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: printer.interactive, prompt: `${client.name}> ` });
  printer.attach(rl);
  const prompt = () => printer.interactive && rl.prompt(true);
  prompt();

  return new Promise<number>((resolve) => {
    let quitting = false;
    const quit = async (code: number) => {
      if (quitting) return;
      quitting = true;
      printer.attach(undefined);
      rl.close();
      if (files.activeCount > 0) printer.print(`* stopping ${files.activeCount} file transfer(s); the server keeps what it has`);
      if (messages.pendingCount > 0 && client.state === 'connected') {
        printer.print(`* waiting for ${messages.pendingCount} message(s) to reach the server…`);
        await Promise.race([messages.allSettled(), new Promise((done) => setTimeout(done, QUIT_GRACE_MS).unref())]);
      }
      await client.close();
      resolve(code);
    };
    client.on('state', (state) => state.state === 'closed' && void quit(1));
    rl.on('close', () => void quit(0));
    rl.on('SIGINT', () => void quit(0));
    process.once('SIGINT', () => void quit(0));
    process.once('SIGTERM', () => void quit(0));

    rl.on('line', (line) => {
      const command = parseInput(line);
      switch (command.kind) {
        case 'empty':
          break;
        case 'help':
          printer.print(HELP);
          break;
        case 'quit':
          void quit(0);
          return;
        case 'who':
          for (const row of formatRoster(client.roster, client.name, (name) => client.keyTrust(name))) printer.print(row);
          if (client.state !== 'connected') printer.print('(as of the last connection: you are offline)');
          break;
        case 'history':
          messages.history(command.with, command.limit);
          break;
        case 'send':
          messages.send(command);
          break;
        case 'verify': {
          const who = command.name;
          const shown = shownNumbers.get(who);
          if (command.confirm && shown === undefined) {
            printer.print(`! run /verify ${who} first and compare the safety number with ${who}`);
            break;
          }
          const work = command.confirm
            ? client.verify(who, shown).then(() => printer.print(`* ${who}'s key is marked verified; their messages show [e2e, verified]`))
            : client.safetyNumber(who).then((number) => {
                shownNumbers.set(who, number);
                for (const row of formatVerify(who, number, client.keyTrust(who))) printer.print(row);
              });
          work.catch((error: unknown) => printer.print(`! /verify ${who}: ${describeError(error)}`));
          break;
        }
        case 'accept-key':
          client.acceptKey(command.name).then(
            () => printer.print(`* accepted ${command.name}'s current key (not verified: compare safety numbers with /verify ${command.name})`),
            (error: unknown) => printer.print(`! /accept-key ${command.name}: ${describeError(error)}`),
          );
          break;
        case 'send-file':
          files.send(command.to, command.path);
          break;
        case 'accept-file':
          void files.accept(command.ref, command.dir);
          break;
        case 'decline-file':
          void files.decline(command.ref);
          break;
        case 'cancel-file':
          void files.cancel(command.ref);
          break;
        case 'files':
          void files.list();
          break;
        case 'room':
          rooms.run(command.command);
          break;
        case 'message-command':
          messages.run(command.command);
          break;
        case 'moderate':
          moderation.run(command.command);
          break;
        case 'block':
          blocks.run(command.command);
          break;
        case 'devices':
          devices.run(command.command);
          break;
        case 'invalid':
          printer.print(`! ${command.message}`);
          break;
      }
      prompt();
    });
  });
}

async function main(argv: string[]): Promise<number> {
  const command = parseCli(argv);
  switch (command.kind) {
    case 'help':
      process.stdout.write(USAGE + '\n');
      return 0;
    case 'send':
      return sendOnce(command.settings, command.to, command.text, command.timeoutMs, command.unencrypted);
    case 'send-file':
      return sendFiles(command);
    case 'chat':
      return chat(command.settings, command.downloadDir, command.link);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`classchat: ${error.message}\n\n${USAGE}\n`);
      process.exit(2);
    }
    process.stderr.write(`classchat: ${describeError(error)}\n`);
    process.exit(1);
  },
);
