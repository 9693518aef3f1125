/**
 * `classchat-server`: the standalone chat server on the embedded store (or PostgreSQL with
 * --store), and operator commands that work on its store.
 */
import { parseArgs } from 'node:util';
import { join, resolve } from 'node:path';
import { ChatServer } from '../server/chat-server';
import { createLogger, isLogLevel } from '../server/logger';
import { checkName } from '../protocol/names';
import { UsageError, parsePort, parseNonNegativeInt, parseSize } from './options';
import { FileSpool } from '../server/files/file-spool';
import { DEFAULT_REGISTRATION_LIMITS } from '../server/registration-gate';
import { genCert, GEN_CERT_USAGE } from './gen-cert';
import { loadServerTlsFiles, ServerTlsFiles } from './tls-files';
import { applyRoles, loadRolesFile, roleCommand } from './server-roles';
import { chooseStore, createStore, DATABASE_URL_VARIABLE, describeStore, StoreChoice } from './server-store';

const USAGE = `Usage:
  classchat-server [options]            run the chat server
  classchat-server reset-user NAME      free a name whose key was lost (server must be stopped)
  classchat-server role NAME ROLE       make NAME a teacher, ta or student (server must be stopped;
                                        with --store, running nodes take it at once);
                                        without NAME and ROLE, list the teachers and TAs
  classchat-server gen-cert [options]   make a self-signed TLS certificate (gen-cert --help)

Options:
  --host HOST            address to listen on (default 127.0.0.1; 0.0.0.0 for the whole network)
  --port PORT            TCP port (default 5050; 0 picks a free one)
  --data-dir DIR         where messages and users are stored (default ./classchat-data);
                         with --store, where files waiting for delivery are kept
  --store URL            keep messages and users in PostgreSQL: postgres://USER@HOST:PORT/DB
                         (or set ${DATABASE_URL_VARIABLE}); the default is the embedded store
  --files-dir DIR        where files waiting for delivery are kept (default DATA-DIR/files); with
                         --store, one directory every node mounts, so a file uploaded to one node
                         downloads from any
  --node-timeout SECONDS with --store, a node silent this long (killed, cut off) is counted dead
                         and its users shown offline on the other nodes (default 10, at least 2)
  --join-code CODE       code a new user must give to register a name
  --roles FILE           the teachers and TAs, one "name role" per line (others are students),
                         applied at start
  --tls-cert FILE        serve TLS only, with this PEM certificate (with --tls-key)
  --tls-key FILE         the certificate's PEM private key
  --no-plain-text        refuse the seed's plain-text clients (nc, the Python ClassChat)
  --rate-limit N         messages per second per user, bursts of 5×N (default 20; 0 = off)
  --max-conns-per-ip N   connections allowed from one address (default 200; 0 = no limit)
  --max-sessions-per-user N  devices one user may be logged in on at once (default 8)
  --unsent-budget SIZE   output waiting for slow readers, all connections together; above it the
                         longest-stalled is closed (default 256M)
  --max-users N          names the server holds at most (default 10000; 0 = no cap)
  --registrations-per-ip N  new names one address may register per hour (default 100; 0 = no limit)
  --registrations-per-hour N  new names the whole server registers per hour (default 1000; 0 = no limit)
  --max-file-size SIZE   largest file the server relays (default 100M)
  --max-waiting-files SIZE  files waiting for one recipient, in all (default 1G)
  --max-sender-files SIZE  files one sender has not yet delivered, to everyone together (default 1G)
  --file-budget SIZE     files the server holds in all, whoever sent them (default 10G)
  --file-days N          days an undelivered file is kept (default 7)
  --no-files             do not relay files
  --log-level LEVEL      debug, info, warn, error or silent (default info)
  -h, --help             show this help`;

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'gen-cert') return genCert(argv.slice(1));
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '5050' },
      'data-dir': { type: 'string', default: './classchat-data' },
      store: { type: 'string' },
      'node-timeout': { type: 'string', default: '10' },
      'files-dir': { type: 'string' },
      'join-code': { type: 'string' },
      roles: { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'no-plain-text': { type: 'boolean', default: false },
      'rate-limit': { type: 'string', default: '20' },
      'max-conns-per-ip': { type: 'string', default: '200' },
      'max-sessions-per-user': { type: 'string', default: '8' },
      'unsent-budget': { type: 'string', default: '256M' },
      'max-users': { type: 'string', default: String(DEFAULT_REGISTRATION_LIMITS.maxUsers) },
      'registrations-per-ip': { type: 'string', default: String(DEFAULT_REGISTRATION_LIMITS.perAddressPerHour) },
      'registrations-per-hour': { type: 'string', default: String(DEFAULT_REGISTRATION_LIMITS.perHour) },
      'max-file-size': { type: 'string', default: '100M' },
      'max-waiting-files': { type: 'string', default: '1G' },
      'max-sender-files': { type: 'string', default: '1G' },
      'file-budget': { type: 'string', default: '10G' },
      'file-days': { type: 'string', default: '7' },
      'no-files': { type: 'boolean', default: false },
      'log-level': { type: 'string', default: 'info' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const dataDir = resolve(values['data-dir']);
  const nodeTimeout = parseNonNegativeInt(values['node-timeout'], '--node-timeout');
  if (nodeTimeout < 2) throw new UsageError('--node-timeout must be at least 2 seconds (nodes stamp a heartbeat every third of it)');
  const storeChoice = { ...chooseStore(values.store, dataDir), nodeTimeoutMs: nodeTimeout * 1000 };
  if (positionals[0] === 'reset-user') return resetUser(storeChoice, positionals.slice(1));
  if (positionals[0] === 'role') return roleCommand(storeChoice, positionals.slice(1));
  if (positionals.length > 0) throw new UsageError(`unknown command "${positionals[0]}"`);

  const logLevel = values['log-level'];
  if (!isLogLevel(logLevel)) throw new UsageError(`--log-level must be debug, info, warn, error or silent, not "${logLevel}"`);
  const port = parsePort(values.port, '--port', true);
  const rate = parseNonNegativeInt(values['rate-limit'], '--rate-limit');
  const maxConnectionsPerAddress = parseNonNegativeInt(values['max-conns-per-ip'], '--max-conns-per-ip');
  const maxSessionsPerUser = parseNonNegativeInt(values['max-sessions-per-user'], '--max-sessions-per-user');
  if (maxSessionsPerUser < 1) throw new UsageError('--max-sessions-per-user must be at least 1');
  const unsentBudgetBytes = parseSize(values['unsent-budget'], '--unsent-budget');
  if (unsentBudgetBytes < 1024 * 1024) throw new UsageError('--unsent-budget must be at least 1M (one connection\'s bound)');
  const registrations = {
    maxUsers: parseNonNegativeInt(values['max-users'], '--max-users'),
    perAddressPerHour: parseNonNegativeInt(values['registrations-per-ip'], '--registrations-per-ip'),
    perHour: parseNonNegativeInt(values['registrations-per-hour'], '--registrations-per-hour'),
  };
  if (values['join-code'] !== undefined && values['join-code'].trim() === '') throw new UsageError('--join-code must not be empty');
  if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined)) throw new UsageError('--tls-cert and --tls-key go together');
  // Checked before the store opens: a bad file should stop nothing but this start.
  const tls = values['tls-cert'] !== undefined && values['tls-key'] !== undefined ? loadServerTlsFiles(resolve(values['tls-cert']), resolve(values['tls-key'])) : undefined;

  const maxFileBytes = parseSize(values['max-file-size'], '--max-file-size');
  const maxRecipientBytes = parseSize(values['max-waiting-files'], '--max-waiting-files');
  const maxSenderBytes = parseSize(values['max-sender-files'], '--max-sender-files');
  const spoolBudgetBytes = parseSize(values['file-budget'], '--file-budget');
  for (const [option, bytes] of [['--max-sender-files', maxSenderBytes], ['--file-budget', spoolBudgetBytes]] as const) {
    if (bytes < maxFileBytes) throw new UsageError(`${option} must be at least --max-file-size (${values['max-file-size']}), or the largest files could never be sent`);
  }
  const fileDays = parseNonNegativeInt(values['file-days'], '--file-days');
  if (fileDays < 1) throw new UsageError('--file-days must be at least 1');

  const roles = values.roles !== undefined ? await loadRolesFile(resolve(values.roles)) : undefined;

  const log = createLogger(logLevel);
  const store = await createStore(storeChoice, (message) => log.info(message));
  await store.open();
  if (roles) await applyRoles(store, roles);
  let files: FileSpool | undefined;
  if (!values['no-files']) {
    const filesDir = values['files-dir'] !== undefined ? resolve(values['files-dir']) : join(dataDir, 'files');
    const limits = { maxFileBytes, maxRecipientBytes, maxSenderBytes, spoolBudgetBytes, ttlMs: fileDays * 86_400_000 };
    // On PostgreSQL other nodes may use the same directory (spool-sharing.ts).
    files = new FileSpool(filesDir, limits, Date.now, (message) => log.info(message), { shared: storeChoice.databaseUrl !== undefined });
    try {
      await files.open();
    } catch (error) {
      await store.close();
      throw new Error(`cannot open the file spool in ${files.dir}: ${(error as Error).message}`);
    }
  }
  const server = new ChatServer({
    store,
    log,
    joinCode: values['join-code']?.trim(),
    plainText: !values['no-plain-text'],
    rateLimit: rate === 0 ? false : { perSecond: rate, burst: rate * 5 },
    maxConnectionsPerAddress: maxConnectionsPerAddress === 0 ? Infinity : maxConnectionsPerAddress,
    maxSessionsPerUser,
    unsentBudgetBytes,
    registrations,
    files,
    ...(tls ? { tls: { cert: tls.cert, key: tls.key } } : {}),
  });
  let address;
  try {
    address = await server.listen(port, values.host);
  } catch (error) {
    await files?.close();
    await store.close();
    throw new Error(`cannot listen on ${values.host}:${port}: ${(error as Error).message}`);
  }
  // Listen for signals before announcing the port: whoever reads the banner may stop us at once.
  const stopped = new Promise<void>((done) => {
    const stop = (signal: string) => {
      process.stdout.write(`\n${signal}: shutting down…\n`);
      done();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  const where = `${address.address}:${address.port}`;
  const connectHost = address.address === '0.0.0.0' || address.address === '::' ? '<this machine\'s address>' : address.address;
  process.stdout.write(
    `ClassChat server listening on ${where}${tls ? ' with TLS only' : ''} (data in ${describeStore(storeChoice)})\n` +
      (tls ? tlsBanner(tls, connectHost, address.port) : `Connect with:  npx classchat --host ${connectHost} --port ${address.port} --name alice\n`) +
      (server.plainTextEnabled && !tls ? `or plain text: nc ${connectHost} ${address.port}\n` : '') +
      (address.address === '127.0.0.1' ? 'Only this machine can connect; use --host 0.0.0.0 to let classmates on the network in.\n' : '') +
      'Press Ctrl+C to stop.\n',
  );

  await stopped;
  await server.close();
  await files?.close();
  await store.close();
  process.stdout.write('ClassChat server stopped; everything is saved.\n');
  return 0;
}

function tlsBanner(tls: ServerTlsFiles, host: string, port: number): string {
  const expired = tls.validTo.getTime() < Date.now();
  return (
    `Certificate SHA-256 fingerprint: ${tls.fingerprint} (${expired ? 'EXPIRED on' : 'valid until'} ${tls.validTo.toISOString().slice(0, 10)})\n` +
    `Connect with:  npx classchat --host ${host} --port ${port} --tls-fingerprint ${tls.fingerprint} --name alice\n` +
    `VS Code:       classchat.tls.enabled true, classchat.tls.fingerprint ${tls.fingerprint}\n` +
    (expired ? 'The certificate has expired: clients will refuse it. Make a new one with: classchat-server gen-cert --force\n' : '')
  );
}

async function resetUser(choice: StoreChoice, args: string[]): Promise<number> {
  if (args.length !== 1) throw new UsageError('reset-user takes exactly one NAME');
  const name = checkName(args[0]);
  if (!name.ok) throw new UsageError(`"${args[0]}" is not a valid user name`);
  const store = await createStore(choice);
  await store.open();
  try {
    const removed = await store.deleteUser(name.name);
    process.stdout.write(
      removed
        ? `Freed "${name.name}": the next login with that name registers a new key. Messages already stored stay in history.\n`
        : `There is no user "${name.name}" in ${describeStore(choice)}.\n`,
    );
    return removed ? 0 : 1;
  } finally {
    await store.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError || (error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
      process.stderr.write(`classchat-server: ${error.message}\n\n${process.argv[2] === 'gen-cert' ? GEN_CERT_USAGE : USAGE}\n`);
      process.exit(2);
    }
    process.stderr.write(`classchat-server: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
