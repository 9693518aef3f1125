#!/usr/bin/env node
/**
 * node bench/spool-choice.mjs [--mib 64]: where files shared by PostgreSQL nodes should live
 * (issue 20): 64 KiB chunks written durably and read back, (a) in a spool directory as the
 * server writes it (positioned writes, an fsync every 32 chunks and at the end), (b) as bytea rows
 * in PostgreSQL (32 chunks per committed transaction). A private PostgreSQL on this machine, so
 * (b) pays no network; a shared directory on NFS pays its own. Run `npm run build` first.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
const { TestPostgres } = require('../out/test/helpers/postgres.js');
const { Client } = require('pg');

const { values } = parseArgs({ options: { mib: { type: 'string', default: '64' } } });
const CHUNK = 64 * 1024;
const BATCH = 32;
const chunks = Math.max(BATCH, Math.floor((Number(values.mib) * 1024 * 1024) / CHUNK));
const data = Array.from({ length: chunks }, () => randomBytes(CHUNK));
const mib = (chunks * CHUNK) / (1024 * 1024);
const rate = (ns) => `${(mib / (Number(ns) / 1e9)).toFixed(0)} MiB/s`;

async function directory() {
  const dir = await mkdtemp(join(tmpdir(), 'classchat-spool-bench-'));
  try {
    const path = join(dir, 'file.part');
    let start = process.hrtime.bigint();
    const writer = await open(path, 'w');
    for (let i = 0; i < chunks; i++) {
      await writer.write(data[i], 0, CHUNK, i * CHUNK);
      if ((i + 1) % BATCH === 0) await writer.datasync();
    }
    await writer.sync();
    await writer.close();
    const write = process.hrtime.bigint() - start;
    start = process.hrtime.bigint();
    const reader = await open(path, 'r');
    const buffer = Buffer.allocUnsafe(CHUNK);
    for (let i = 0; i < chunks; i++) await reader.read(buffer, 0, CHUNK, i * CHUNK);
    await reader.close();
    return { write, read: process.hrtime.bigint() - start };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function database(pg) {
  const client = new Client({ connectionString: await pg.createDatabase('spool') });
  await client.connect();
  try {
    await client.query('CREATE TABLE chunks (file text, index integer, data bytea, PRIMARY KEY (file, index))');
    let start = process.hrtime.bigint();
    for (let i = 0; i < chunks; i += BATCH) {
      await client.query('BEGIN');
      for (let j = i; j < Math.min(chunks, i + BATCH); j++) await client.query('INSERT INTO chunks VALUES ($1, $2, $3)', ['f', j, data[j]]);
      await client.query('COMMIT');
    }
    const write = process.hrtime.bigint() - start;
    start = process.hrtime.bigint();
    for (let i = 0; i < chunks; i++) await client.query('SELECT data FROM chunks WHERE file = $1 AND index = $2', ['f', i]);
    return { write, read: process.hrtime.bigint() - start };
  } finally {
    await client.end();
  }
}

const pg = await TestPostgres.start();
try {
  const dir = await directory();
  const db = await database(pg);
  console.log(`${mib} MiB in ${chunks} chunks of 64 KiB, written durably then read back`);
  console.log(`spool directory:  write ${rate(dir.write)}, read ${rate(dir.read)}`);
  console.log(`PostgreSQL bytea: write ${rate(db.write)}, read ${rate(db.read)}`);
} finally {
  await pg.stop();
}
