import { strict as assert } from 'node:assert';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { expandPath, formatOffer } from '../../src/cli/classchat-files';
import { formatBytes, formatProgress, percentDone, ProgressThrottle } from '../../src/cli/classchat-progress';

describe('classchat file sizes and progress', () => {
  it('formats sizes in binary units, one decimal below 10', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(1023), '1023 B');
    assert.equal(formatBytes(1024), '1.0 KiB');
    assert.equal(formatBytes(2.1 * 1024 * 1024), '2.1 MiB');
    assert.equal(formatBytes(150 * 1024 * 1024), '150 MiB');
    assert.equal(formatBytes(1024 * 1024 - 1), '1.0 MiB'); // not "1024 KiB"
    assert.equal(formatBytes(3 * 1024 ** 3), '3.0 GiB');
  });

  it('never says 100% before the last byte', () => {
    assert.equal(percentDone(0, 1000), 0);
    assert.equal(percentDone(999, 1000), 99);
    assert.equal(percentDone(1000, 1000), 100);
    assert.equal(percentDone(0, 0), 100);
    assert.equal(percentDone(421, 1000), 42);
  });

  it('shows label, percent, bytes and MiB/s', () => {
    const line = formatProgress({ label: 'sending a.pdf to bob', bytes: 1.5 * 1024 * 1024, total: 3 * 1024 * 1024, rate: 3.4 * 1024 * 1024 });
    assert.equal(line, 'sending a.pdf to bob  50%  1.5 MiB of 3.0 MiB  3.4 MiB/s');
  });

  it('without redrawing, shows one line per new tenth (and the end) only', () => {
    const throttle = new ProgressThrottle(false, () => 0);
    const shown = [0, 50, 99, 100, 150, 420, 430, 999, 1000, 1000].filter((bytes) => throttle.shouldShow(bytes, 1000));
    assert.deepEqual(shown, [0, 100, 420, 999, 1000]); // 999 is the first of the 90s
  });

  it('when redrawing, shows at most one update per interval but always the last', () => {
    let now = 0;
    const throttle = new ProgressThrottle(true, () => now, 100);
    const seen: number[] = [];
    for (const [at, bytes] of [[0, 10], [50, 20], [99, 30], [100, 40], [150, 50], [160, 100]]) {
      now = at;
      if (throttle.shouldShow(bytes, 100)) seen.push(bytes);
    }
    assert.deepEqual(seen, [10, 40, 100]);
  });

  it('offers read "bob offers NAME (SIZE) — /accept N [dir] or /decline N", with control characters neutralised', () => {
    assert.equal(formatOffer(3, 'bob', 'report.pdf', 2.1 * 1024 * 1024), '* bob offers report.pdf (2.1 MiB) — /accept 3 [dir] or /decline 3');
    assert.doesNotMatch(formatOffer(1, 'bob', 'evil\u001b[2Jname', 5), /\u001b/);
  });

  it('expands ~ to the home directory and resolves relative paths', () => {
    assert.equal(expandPath('~', '/home/x'), '/home/x');
    assert.equal(expandPath('~/in box', '/home/x'), join('/home/x', 'in box'));
    assert.equal(expandPath('rel/a.txt'), resolve('rel/a.txt'));
    assert.equal(expandPath('~other'), resolve('~other'));
    assert.equal(expandPath('~/'), homedir());
  });
});
