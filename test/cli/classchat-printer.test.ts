import { strict as assert } from 'node:assert';
import { Printer } from '../../src/cli/classchat-printer';

/** A stand-in for stdout that keeps what was written (the printer only writes to it, as no readline is attached). */
function output(isTTY: boolean): NodeJS.WritableStream & { isTTY: boolean; written: string[] } {
  const written: string[] = [];
  const stream = { isTTY, written, write: (chunk: string) => written.push(chunk) > 0 };
  return stream as unknown as NodeJS.WritableStream & typeof stream;
}

describe('classchat printer', () => {
  it('rings the bell and prints in bold a line that mentions you, on a terminal only', () => {
    const terminal = output(true);
    new Printer(terminal, true).print('(#4) bob → everyone [mentions you]: hi @alice', true);
    assert.deepEqual(terminal.written, ['\x1b[1m(#4) bob → everyone [mentions you]: hi @alice\x1b[0m\x07\n']);

    for (const [isTTY, inputIsTerminal] of [[false, true], [true, false]] as const) {
      const piped = output(isTTY);
      new Printer(piped, inputIsTerminal).print('hi @alice', true);
      assert.deepEqual(piped.written, ['hi @alice\n']);
    }
  });

  it('never passes on an escape sequence from the line itself, alert or not', () => {
    const terminal = output(true);
    new Printer(terminal, true).print('a\x1b[2Jb\x07', true);
    assert.deepEqual(terminal.written, ['\x1b[1ma␛[2Jb␇\x1b[0m\x07\n']);
  });
});
