import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { unlinked } from '../../src/extension/unlinked-text';
import { describeConnectError } from '../../src/extension/error-text';
import { ClassChatError } from '../../src/protocol/errors';
import { asRead, notificationLinks } from './helpers/linked-text';

const TERMINAL = '[Slides](command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22rm%20-rf%22%7D)';
const PAYLOADS = [
  TERMINAL,
  '[x](https://evil)',
  '[x](http://evil "a title")',
  '[x](file:///etc/passwd)',
  '[X](COMMAND:workbench.action.reloadWindow)',
  '[[nested [Slides](command:a)]](https://evil)',
  '[a[b](command:c)',
  '[x]\n(command:y) and [y](command:z)',
];

describe('text that cannot form a link in a VS Code notification', () => {
  it('the oracle finds the links VS Code would render in each payload as sent', () => {
    for (const payload of PAYLOADS) assert.ok(notificationLinks(payload).length > 0, payload);
    assert.deepEqual(notificationLinks(`ClassChat — bob: ${TERMINAL}`), [{ label: 'Slides', href: TERMINAL.slice(9, -1) }]);
  });

  it('markdown backslash escapes do not help: VS Code links them all the same', () => {
    // Why unlinked() does not escape: parseLinkedText ignores backslashes.
    const escaped = TERMINAL.replace(/[[\]]/g, (c) => `\\${c}`);
    assert.equal(notificationLinks(escaped).length, 1);
  });

  it('leaves no link in any payload, and reads the same', () => {
    for (const payload of PAYLOADS) {
      const safe = unlinked(payload);
      assert.deepEqual(notificationLinks(safe), [], safe);
      assert.equal(asRead(safe), payload);
    }
  });

  it('neutralises a private message preview, a key-change warning and a server error as the extension words them', () => {
    // Names the server accepts cannot hold brackets, but a hostile server can claim any name.
    const sender = '[bob](command:workbench.action.terminal.new)';
    const texts = [
      `ClassChat — ${sender}: ${TERMINAL}`,
      `ClassChat: ${sender}'s key changed. That happens when ${sender} set up ClassChat again, but it can also mean someone is pretending to be ${sender}.`,
      `ClassChat: ${describeConnectError(new ClassChatError('internal', `Server is full, see [the FAQ](https://evil/faq) or ${TERMINAL}`), 'host:5050', 'alice').message}`,
      `ClassChat: could not receive [report](file:///etc/passwd).pdf from bob: [retry](command:classchat.connect)`,
    ];
    for (const text of texts) {
      assert.ok(notificationLinks(text).length > 0, `the payload links before: ${text}`);
      assert.deepEqual(notificationLinks(unlinked(text)), []);
      assert.equal(asRead(unlinked(text)), text);
    }
  });

  it('breaks the schemes themselves, so no renderer finds a URI either', () => {
    const safe = unlinked('see https://evil, HTTP://x, command:x, File:/etc, vscode://ext, vscode-insiders://y');
    assert.doesNotMatch(safe, /(https?|command|file|vscode[a-z-]*):/i);
  });

  it('leaves text without links exactly as it was', () => {
    for (const text of ['ClassChat — bob: see you at 10 (room 4)', 'Saved report [final].pdf', 'ClassChat: copied 127.0.0.1:5050']) {
      assert.equal(unlinked(text), text);
    }
  });

  it('no text built of brackets, parentheses, quotes and schemes forms a link once neutralised', () => {
    const risky = fc.constantFrom('[', ']', '(', ')', ' ', '"', "'", '\n', '\\', 'command:', 'https://', 'http://', 'file:', 'CoMmAnD:', 'x', 'a b');
    const piece = fc.array(risky, { maxLength: 12 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 6 }), (pieces) => {
        const safe = unlinked(pieces.join(''));
        assert.deepEqual(notificationLinks(safe), []);
        assert.equal(asRead(safe), pieces.join(''));
      }),
      { numRuns: 2000 },
    );
  });
});
