import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { visibleControls } from '../../src/protocol/visible-text';
import { plainLine, plainNotice } from '../../src/server/plain-lines';
import { PlainClient } from '../helpers/plain-client';
import { RawClient } from '../helpers/raw-client';
import { startTestServer, TestServer } from '../helpers/test-server';

/** Anything a terminal would act on rather than show: C0 except tab and newline, DEL, C1, line separators, bidi controls. */
const ACTIVE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const HOSTILE = 'hi\r[server] fake notice\x1b[2J\x1b]0;title\x07\u009b31m\u202efdp.exe\u2066x\u2069\x00\x7f\tend';

describe('plain-text mode neutralises control characters', () => {
  it('shows controls visibly and keeps tab, so a line is always exactly one line', () => {
    assert.equal(visibleControls('a\x1b[2Jb\rc\nd\te\x7f\u009b\u202ef'), 'a␛[2Jb␍c␊d\te␡<U+009B><U+202E>f');
    assert.equal(plainNotice('x\ny'), '[server] x␊y\n');
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (text) => {
        const line = plainLine(text);
        assert.equal(line.indexOf('\n'), line.length - 1);
        assert.equal(ACTIVE.test(line), false);
      }),
    );
  });

  describe('over the wire', () => {
    let server: TestServer;
    const sockets: Array<{ close(): void }> = [];
    beforeEach(async () => {
      server = await startTestServer({ rateLimit: false, plainIdleMs: 100 });
    });
    afterEach(async () => {
      for (const socket of sockets.splice(0)) socket.close();
      await server.close();
    });
    const plain = async (name: string) => {
      const client = await PlainClient.open(server.port);
      sockets.push(client);
      await client.waitForText('"type":"hello"');
      client.write(`${name}\n`);
      await client.waitForText(`Welcome [${name}]`);
      return client;
    };

    it('writes an app user\'s escape sequences, bare CR and bidi overrides to a plain-text user as visible characters', async () => {
      const carol = await RawClient.login(server.port, 'carol');
      sockets.push(carol.client);
      const dan = await plain('dan');
      const mark = dan.text.length;
      carol.client.send({ type: 'send', id: 'c1', to: 'dan', text: HOSTILE });
      carol.client.send({ type: 'send', id: 'c2', to: '*', text: `two\nlines\x1bc` });
      await dan.waitForText('[carol] ToAll: two ⏎ lines␛c\n', mark);
      const received = dan.text.slice(mark);
      assert.ok(received.includes('[carol] hi␍[server] fake notice␛[2J␛]0;title␇<U+009B>31m<U+202E>fdp.exe<U+2066>x<U+2069>␀␡\tend\n'), received);
      assert.equal(ACTIVE.test(received), false, JSON.stringify(received));
      assert.equal(received.split('\n').filter((line) => line.startsWith('[server]')).length, 0);
    });

    it('neutralises what one plain-text user sends another', async () => {
      const erin = await plain('erin');
      const fay = await plain('fay');
      const mark = fay.text.length;
      erin.write('fay:see\x1b[1A\x1b[2K[server] erin left\u202e\n');
      await fay.waitForText('[erin] see␛[1A␛[2K[server] erin left<U+202E>\n', mark);
      assert.equal(ACTIVE.test(fay.text.slice(mark)), false);
    });
  });
});
