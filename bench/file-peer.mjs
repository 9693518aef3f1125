#!/usr/bin/env node
/**
 * One participant of the file bench, in its own process. Prints JSON lines: {"ev": …, "at": ms}.
 *   receiver PORT DIR [CHUNKS]  logs in as bob, accepts the first file offered into DIR
 *   sender PORT FILE [CHUNKS]   logs in as alice, sends FILE to bob
 *     (CHUNKS: "raw", the default, takes binary chunks where offered; "base64" keeps base64 lines)
 *   raw-receiver SIZE        listens on a free port, counts SIZE bytes (ceiling: no framing, no crypto)
 *   raw-relay TARGET_PORT    listens on a free port and pipes every connection to TARGET_PORT
 *   raw-sender PORT FILE     streams FILE to PORT
 *   encrypt FILE             secretstream-encrypts FILE in 64 KiB chunks on one core, then decrypts it; prints MiB/s
 */
import { createReadStream, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect, createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
/** Every event carries the time and this process's CPU seconds so far (user + system). */
const cpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};
const say = (event) => process.stdout.write(JSON.stringify({ ...event, at: Date.now(), cpu: cpuSeconds() }) + '\n');
const [role, ...args] = process.argv.slice(2);

function client(port, name, chunks = 'raw') {
  const { ChatClient, MemoryKeyStore } = require(join(ROOT, 'out/src/client/index.js'));
  const made = new ChatClient({ host: '127.0.0.1', port: Number(port), name, keyStore: new MemoryKeyStore(), binaryChunks: chunks !== 'base64' });
  made.on('error', (error) => say({ ev: 'error', message: String(error.message ?? error) }));
  return made;
}

if (role === 'receiver') {
  const [port, dir, chunks] = args;
  const bob = client(port, 'bob', chunks);
  bob.on('fileOffer', async (offer) => {
    say({ ev: 'offer', size: offer.size });
    const download = await bob.acceptFile(offer.file, dir);
    const path = await download.done;
    say({ ev: 'received', path });
    await bob.close();
  });
  await bob.connect();
  say({ ev: 'ready' });
} else if (role === 'sender') {
  const [port, file, chunks] = args;
  const alice = client(port, 'alice', chunks);
  await alice.connect();
  say({ ev: 'start' });
  const upload = await alice.sendFile('bob', file);
  await upload.done;
  say({ ev: 'uploaded' });
  await alice.close();
} else if (role === 'raw-receiver') {
  const size = Number(args[0]);
  const server = createServer((socket) => {
    let bytes = 0;
    socket.on('data', (chunk) => {
      bytes += chunk.length;
      if (bytes >= size) {
        say({ ev: 'received', bytes });
        socket.destroy();
        server.close();
      }
    });
  });
  server.listen(0, '127.0.0.1', () => say({ ev: 'ready', port: server.address().port }));
} else if (role === 'raw-relay') {
  const target = Number(args[0]);
  const server = createServer({ noDelay: true }, (socket) => {
    const upstream = connect({ host: '127.0.0.1', port: target, noDelay: true });
    socket.pipe(upstream);
    upstream.pipe(socket);
    socket.on('error', () => undefined);
    upstream.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1', () => say({ ev: 'ready', port: server.address().port }));
} else if (role === 'raw-sender') {
  const [port, file] = args;
  const socket = connect({ host: '127.0.0.1', port: Number(port), noDelay: true }, () => {
    say({ ev: 'start' });
    createReadStream(file, { highWaterMark: 1024 * 1024 }).pipe(socket);
  });
  socket.on('error', () => undefined);
  socket.on('close', () => process.exit(0));
} else if (role === 'encrypt') {
  // Also decrypts the result: sender and receiver share one core in the bench, so encrypting and
  // decrypting the same bytes on one core bounds what any end-to-end run can reach there.
  const { FileEncryptor, FileDecryptor, FILE_PLAIN_CHUNK } = require(join(ROOT, 'out/src/crypto/file-stream.js'));
  const data = readFileSync(args[0]);
  const encryptor = await FileEncryptor.create('bench.bin', data.length);
  const sealed = [];
  let started = process.hrtime.bigint();
  for (let offset = 0; offset < data.length || offset === 0; offset += FILE_PLAIN_CHUNK) {
    sealed.push(encryptor.encrypt(data.subarray(offset, offset + FILE_PLAIN_CHUNK)));
    if (data.length === 0) break;
  }
  const encryptSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const decryptor = await FileDecryptor.create(encryptor.secrets);
  started = process.hrtime.bigint();
  let opened = 0;
  for (let i = 0; i < sealed.length; i++) opened += decryptor.decrypt(sealed[i], i === sealed.length - 1)?.length ?? Number.NaN;
  const decryptSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (opened !== data.length) throw new Error(`decrypted ${opened} bytes of ${data.length}`);
  const mib = data.length / 2 ** 20;
  say({ ev: 'encrypted', mibPerSec: mib / encryptSeconds, decryptMiBPerSec: mib / decryptSeconds, bothMiBPerSec: mib / (encryptSeconds + decryptSeconds) });
} else {
  console.error(`unknown role ${role}`);
  process.exit(2);
}
