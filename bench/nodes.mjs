#!/usr/bin/env node
/**
 * node bench/nodes.mjs [--messages 4000] [--senders 8]: messages/s through one node vs two nodes
 * on one PostgreSQL (issue 20), and how long a message takes to reach a reader on the same node
 * vs the other node (the LISTEN/NOTIFY hop). In-process nodes on a private PostgreSQL; a rough
 * figure for the README, not the full bench (npm run bench).
 */
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
const { TestPostgres } = require('../out/test/helpers/postgres.js');
const { RawClient } = require('../out/test/helpers/raw-client.js');
const { ChatServer } = require('../out/src/server/chat-server.js');
const { PostgresStore } = require('../out/src/server/store/postgres/postgres-store.js');

const { values } = parseArgs({ options: { messages: { type: 'string', default: '4000' }, senders: { type: 'string', default: '8' } } });
const total = Number(values.messages);
const senderCount = Number(values.senders);
const pg = await TestPostgres.start();
let db = 0;
try {
  for (const nodeCount of [1, 2]) {
    const { nodes, close } = await startNodes(nodeCount);
    const senders = [];
    for (let i = 0; i < senderCount; i++) senders.push((await RawClient.login(nodes[i % nodeCount], `s${i}`)).client);
    const start = process.hrtime.bigint();
    const each = Math.ceil(total / senderCount);
    await Promise.all(
      senders.map(async (client, i) => {
        // A window of 32 unacknowledged sends per sender, as a busy client's outbox has.
        let acked = 0;
        for (let n = 0; n < each; n++) {
          client.send({ type: 'send', id: `m${n}`, to: `s${(i + 1) % senderCount}`, text: `message ${n}` });
          if (n - acked >= 32) acked = (await client.next('sent', () => true, 60000), acked + 1);
        }
        while (acked < each) acked = (await client.next('sent', () => true, 60000), acked + 1);
      }),
    );
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    console.log(`${nodeCount} node(s): ${Math.round((each * senderCount) / seconds)} messages/s stored (${senderCount} senders, private messages, window 32)`);
    for (const client of senders) client.close();

    // Latency: a sender on node 1, readers on node 1 and (with two) node 2.
    const sender = (await RawClient.login(nodes[0], 'lat-sender')).client;
    const readers = await Promise.all(nodes.map(async (port, i) => (await RawClient.login(port, `lat-reader${i}`)).client));
    const delays = nodes.map(() => []);
    for (let n = 0; n < 200; n++) {
      const sent = process.hrtime.bigint();
      sender.send({ type: 'send', id: `l${n}`, to: '*', text: 'ping' });
      await Promise.all(
        readers.map(async (reader, i) => {
          await reader.next('msg', (m) => m.id === `l${n}`, 10000);
          delays[i].push(Number(process.hrtime.bigint() - sent) / 1e6);
        }),
      );
    }
    delays.forEach((list, i) => {
      list.sort((a, b) => a - b);
      const at = (q) => list[Math.min(list.length - 1, Math.floor(q * list.length))].toFixed(2);
      console.log(`  send to delivery, reader on ${i === 0 ? 'the same node' : 'the other node'}: median ${at(0.5)} ms, p99 ${at(0.99)} ms`);
    });
    sender.close();
    for (const reader of readers) reader.close();
    await close();
  }
} finally {
  await pg.stop();
}

async function startNodes(count) {
  const url = await pg.createDatabase(`bench${++db}`);
  const parts = [];
  for (let i = 0; i < count; i++) {
    const store = new PostgresStore({ url, node: `n${i}` });
    await store.open();
    const server = new ChatServer({ store, rateLimit: false });
    parts.push({ store, server, port: (await server.listen(0, '127.0.0.1')).port });
  }
  return {
    nodes: parts.map((p) => p.port),
    close: async () => {
      for (const { server, store } of parts) {
        await server.close();
        await store.close();
      }
    },
  };
}
