import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { cardStatus, formatBytes, offerText, percentOf } from '../../webview/file-format';
import { parseWebviewMessage, type FileCardView } from '../../webview/protocol';

/** The number of bytes a formatted size stands for ("2.1 MB" → 2.1 · 1024²). */
function parse(size: string): number {
  const match = /^(\d+(?:\.\d)?) (bytes?|KB|MB|GB|TB)$/.exec(size);
  assert.ok(match, `unexpected size text: ${size}`);
  const power = ['byte', 'KB', 'MB', 'GB', 'TB'].indexOf(match[2].replace(/s$/, ''));
  return Number(match[1]) * 1024 ** power;
}

describe('file sizes and names as people read them', () => {
  it('formats sizes like VS Code: bytes, then one decimal below 100 of a unit', () => {
    const cases: Array<[number, string]> = [
      [0, '0 bytes'],
      [1, '1 byte'],
      [1023, '1023 bytes'],
      [1024, '1 KB'],
      [1536, '1.5 KB'],
      [2_202_010, '2.1 MB'],
      [48_100_000, '45.9 MB'],
      [150 * 1024 * 1024, '150 MB'],
      [1024 ** 3, '1 GB'],
      [3_900_000_000, '3.6 GB'],
      [5 * 1024 ** 5, '5120 TB'],
    ];
    for (const [bytes, text] of cases) assert.equal(formatBytes(bytes), text, String(bytes));
    assert.equal(formatBytes(-1), '? bytes');
    assert.equal(formatBytes(Number.NaN), '? bytes');
  });

  it('keeps sizes in order and within 5% of the truth, for any size', () => {
    fc.assert(
      fc.property(fc.oneof(fc.nat(), fc.maxSafeNat()), fc.oneof(fc.nat(), fc.maxSafeNat()), (a, b) => {
        const [small, large] = a <= b ? [a, b] : [b, a];
        assert.ok(parse(formatBytes(small)) <= parse(formatBytes(large)), `${small} ${large}`);
        assert.ok(Math.abs(parse(formatBytes(a)) - a) <= a * 0.05, formatBytes(a));
      }),
    );
  });

  it('counts whole percents, never past 100, and an empty file as done', () => {
    assert.equal(percentOf(0, 10), 0);
    assert.equal(percentOf(999, 1000), 99);
    assert.equal(percentOf(1000, 1000), 100);
    assert.equal(percentOf(2000, 1000), 100);
    assert.equal(percentOf(0, 0), 100);
  });

  it('words an offer as the notification shows it', () => {
    assert.equal(offerText('bob', 'report.pdf', 2_202_010), 'bob sent you report.pdf (2.1 MB)');
    assert.equal(offerText('bob', 'a.txt', 7), 'bob sent you a.txt (7 bytes)');
  });

  it("says where a card's transfer stands, from either side", () => {
    const card = (patch: Partial<FileCardView>): FileCardView => ({ file: 'f', name: 'a', size: 1, direction: 'incoming', peer: 'bob', state: 'offered', ...patch });
    assert.equal(cardStatus(card({})), 'offered to you');
    assert.equal(cardStatus(card({ direction: 'outgoing' })), 'waiting for bob to accept');
    assert.equal(cardStatus(card({ state: 'sending', percent: 7 })), 'sending 7%');
    assert.equal(cardStatus(card({ state: 'receiving', percent: 45 })), 'receiving 45%');
    assert.equal(cardStatus(card({ state: 'done' })), 'saved');
    assert.equal(cardStatus(card({ state: 'done', direction: 'outgoing' })), 'delivered to bob');
    assert.equal(cardStatus(card({ state: 'declined', direction: 'outgoing' })), 'declined by bob');
    assert.equal(cardStatus(card({ state: 'cancelled' })), 'cancelled');
    assert.equal(cardStatus(card({ state: 'failed', reason: 'disk full' })), 'failed: disk full');
    assert.equal(cardStatus(card({ state: 'failed' })), 'failed');
  });
});

describe('file card messages from the webview', () => {
  it('accepts Save…, Decline and Cancel for a well-formed file id', () => {
    for (const type of ['acceptFile', 'declineFile', 'cancelFile'] as const) {
      assert.deepEqual(parseWebviewMessage({ type, file: 'Ab_9-x' }), { type, file: 'Ab_9-x' });
    }
  });

  it('refuses a missing, oversized or path-like file id', () => {
    for (const file of [undefined, 42, '', '../../etc/passwd', 'a b', 'x'.repeat(65)]) {
      assert.equal(parseWebviewMessage({ type: 'acceptFile', file }), undefined, String(file));
    }
  });
});
