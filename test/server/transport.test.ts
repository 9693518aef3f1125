import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import { createServer, connect, Socket, AddressInfo } from 'node:net';
import { Transport } from '../../src/server/transport';
import { systemClock } from '../../src/server/clock';

/** A connected socket pair on loopback: [server side, client side]. */
async function socketPair(): Promise<[Socket, Socket]> {
  const listener = createServer();
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  const accepted = once(listener, 'connection');
  const client = connect((listener.address() as AddressInfo).port, '127.0.0.1');
  const [serverSide] = (await accepted) as [Socket];
  listener.close();
  return [serverSide, client];
}

function readBytes(socket: Socket, count: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let received = 0;
  return new Promise((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      if (received >= count) resolve(Buffer.concat(chunks));
    });
  });
}

describe('Transport', () => {
  for (const [label, partBytes] of [['small turn (one copied write)', 100], ['large turn (gathered write of the parts)', 40_000]] as const) {
    it(`writes lines and multi-part lines in order in a ${label}, then calls back`, async () => {
      const [serverSide, client] = await socketPair();
      try {
        const transport = new Transport(serverSide, { maxLineBytes: 1 << 20, softQueueBytes: 1 << 20, hardQueueBytes: 8 << 20 }, systemClock, () => assert.fail('overflow'));
        const parts = ['a', 'b', 'c'].map((letter) => Buffer.alloc(partBytes, letter));
        const expected = Buffer.concat([Buffer.from('first\n'), ...parts, Buffer.from('\n'), Buffer.from('last\n')]);
        const received = readBytes(client, expected.length);
        let flushed = 0;
        transport.write('first\n');
        transport.writeParts([...parts, Buffer.from('\n')], () => flushed++);
        transport.write(Buffer.from('last\n'), () => flushed++);
        assert.ok((await received).equals(expected));
        assert.equal(flushed, 2);
      } finally {
        serverSide.destroy();
        client.destroy();
      }
    });
  }

  it('still flushes the other sockets of a turn when one flush throws', async () => {
    const [aServer, aClient] = await socketPair();
    const [bServer, bClient] = await socketPair();
    // The throw surfaces as an uncaught exception (as it would in the extension host, which goes on).
    const mochaListeners = process.listeners('uncaughtException');
    process.removeAllListeners('uncaughtException');
    const uncaught: string[] = [];
    process.on('uncaughtException', (error) => uncaught.push(String(error)));
    try {
      const limits = { maxLineBytes: 1 << 20, softQueueBytes: 1 << 20, hardQueueBytes: 8 << 20 };
      const a = new Transport(aServer, limits, systemClock, () => assert.fail('overflow'));
      const b = new Transport(bServer, limits, systemClock, () => assert.fail('overflow'));
      aServer.write = (() => {
        throw new Error('boom');
      }) as typeof aServer.write;
      const received = readBytes(bClient, 'to b\n'.length);
      a.write('to a\n');
      b.write('to b\n');
      const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('b was never flushed')), 2000).unref());
      assert.equal((await Promise.race([received, timeout])).toString(), 'to b\n');
      assert.deepEqual(uncaught, ['Error: boom']);
    } finally {
      process.removeAllListeners('uncaughtException');
      for (const listener of mochaListeners) process.on('uncaughtException', listener);
      for (const socket of [aServer, aClient, bServer, bClient]) socket.destroy();
    }
  });

  it('writes a stream as the socket drains, with lines written meanwhile and a last line after it', async () => {
    const [serverSide, client] = await socketPair();
    try {
      const limits = { maxLineBytes: 1 << 20, softQueueBytes: 64 * 1024, hardQueueBytes: 256 * 1024 };
      const transport = new Transport(serverSide, limits, systemClock, () => assert.fail('overflow'));
      // 4 MB in 10 KB pieces, each line split mid-way: nothing may land inside a line.
      const piece = Buffer.alloc(10_000, 's');
      let pieces = 0;
      transport.writeStream(() => (pieces === 400 ? undefined : ++pieces % 2 === 0 ? Buffer.concat([piece, Buffer.from('\n')]) : piece));
      transport.write('meanwhile\n');
      assert.equal(transport.congested, true, 'mail waits while the stream runs');
      transport.end('bye\n');
      const total = 400 * 10_000 + 200 + 'meanwhile\nbye\n'.length;
      const received = (await readBytes(client, total)).toString();
      const lines = received.split('\n');
      assert.deepEqual(lines.slice(-3), ['meanwhile', 'bye', '']);
      assert.ok(lines.slice(0, -3).every((line) => line === 's'.repeat(20_000)));
      assert.ok(transport.peakUnsent <= limits.softQueueBytes + piece.length + 100, `held ${transport.peakUnsent} bytes`);
    } finally {
      serverSide.destroy();
      client.destroy();
    }
  });
});
