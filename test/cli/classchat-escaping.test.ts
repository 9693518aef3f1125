/** Item 11 of issue 14: no field another person controls can forge a line or reach the terminal as an escape sequence. */
import { strict as assert } from 'node:assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describeError, formatMessage, formatPresence, printable, terminalText } from '../../src/cli/classchat-format';
import { formatOffer } from '../../src/cli/classchat-files';
import { ChatClient } from '../../src/client';
import { MemoryKeyStore } from '../../src/client/key-store';
import { ClassChatError } from '../../src/protocol/errors';
import { CliProcess, spawnCli, stopCli } from '../client/helpers/cli-process';
import { startTestServer, TestServer } from '../helpers/test-server';

/** Characters a terminal acts on instead of showing (newline aside). */
const ACTIVE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const FORGED_NAME = 'notes.txt\n[server] bob was removed from the class\r\x1b[2J\x1b]0;pwned\x07\u202efdp.exe';

describe('classchat escapes control characters in every field it prints', () => {
  it('shows a file name\'s newline, CR and escape sequences visibly, on the one offer line', () => {
    const line = formatOffer(3, 'alice', FORGED_NAME, 10);
    assert.equal(line, '* alice offers notes.txt␊[server] bob was removed from the class␍␛[2J␛]0;pwned␇<U+202E>fdp.exe (10 B) — /accept 3 [dir] or /decline 3');
    assert.equal(printable('a\tb'), 'a\tb');
  });

  it('keeps a message\'s own line breaks as indented lines, and nothing else', () => {
    const text = formatMessage({ type: 'msg', seq: 1, id: 'a', from: 'alice', to: '*', ts: Date.now(), text: 'one\r\ntwo\x1b[1A\rthree', encrypted: false, trust: 'not_encrypted' }, 'bob');
    assert.match(text, /alice → everyone: one\n {4}two␛\[1A␍three$/);
  });

  it('escapes error texts and presence names the server sends', () => {
    assert.equal(describeError(new ClassChatError('invalid_frame', 'bad\n[server] x\x1b[2J')), 'bad␊[server] x␛[2J');
    assert.equal(formatPresence({ name: 'e\x1bve', publicKey: null, online: true }, undefined), '* e␛ve joined the class and is online');
  });

  it('never lets a printed line carry a control character, whatever it was built from', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (field) => {
        assert.equal(printable(field).includes('\n'), false);
        assert.equal(ACTIVE.test(terminalText(`* ${field}\n  ${field}`)), false);
      }),
    );
  });

  describe('the built classchat against the real server', function () {
    this.timeout(30_000);
    let server: TestServer;
    let home: string;
    let bob: CliProcess | undefined;
    let alice: ChatClient | undefined;

    beforeEach(async () => {
      server = await startTestServer({ rateLimit: false });
      home = await mkdtemp(join(tmpdir(), 'classchat-escaping-'));
    });
    afterEach(async () => {
      if (bob) await stopCli(bob);
      await alice?.close();
      await server.close();
      await rm(home, { recursive: true, force: true });
    });

    it('prints an offered file named "notes.txt\\n[server] …" with ESC sequences as one visible line, in the offer and in /files', async () => {
      bob = spawnCli(['--port', String(server.port), '--name', 'bob', '--download-dir', home], { CLASSCHAT_HOME: join(home, 'keys') });
      await bob.waitForOutput(/connected to .* as bob/);
      alice = new ChatClient({ host: '127.0.0.1', port: server.port, name: 'alice', keyStore: new MemoryKeyStore() });
      alice.on('error', () => undefined);
      await alice.connect();
      const path = join(home, 'plain.txt');
      await writeFile(path, 'hello');
      const upload = await alice.sendFile('bob', path, { name: FORGED_NAME });
      await upload.done;
      alice.queueText('*', 'hi\r[server] fake\x1b[2J\nsecond line');
      await bob.waitForOutput(/\* alice offers notes\.txt␊\[server\] bob was removed from the class␍␛\[2J␛\]0;pwned␇<U\+202E>fdp\.exe \(5 B\)/);
      await bob.waitForOutput(/alice → everyone: hi␍\[server\] fake␛\[2J\n {4}second line\n/);
      bob.type('/files');
      await bob.waitForOutput(/#1 ← alice {2}notes\.txt␊\[server\] bob was removed from the class␍␛\[2J␛\]0;pwned␇<U\+202E>fdp\.exe {2}5 B/);
      const out = bob.stdout();
      assert.equal(ACTIVE.test(out), false, JSON.stringify(out));
      assert.deepEqual(out.split('\n').filter((line) => line.startsWith('[server]')), []);
    });
  });
});
