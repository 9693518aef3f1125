import { strict as assert } from 'node:assert';
import { HELP, parseInput, pathArgument, transferRef } from '../../src/cli/classchat-input';
import { USAGE } from '../../src/cli/classchat-options';

describe('classchat input lines', () => {
  it('sends plain text to everyone', () => {
    assert.deepEqual(parseInput('  hello all  '), { kind: 'send', to: '*', text: 'hello all' });
  });

  it('sends "@bob hi" to bob only', () => {
    assert.deepEqual(parseInput('@Bob hi there'), { kind: 'send', to: 'bob', text: 'hi there' });
    assert.deepEqual(parseInput('@all hi'), { kind: 'send', to: '*', text: 'hi' });
  });

  it('refuses @ without a valid name or without text', () => {
    assert.equal(parseInput('@bob').kind, 'invalid');
    assert.equal(parseInput('@ hi').kind, 'invalid');
    assert.equal(parseInput('@b!ob hi').kind, 'invalid');
  });

  it('knows /verify NAME [confirm], /accept-key NAME and /unencrypted NAME text', () => {
    assert.deepEqual(parseInput('/verify Bob'), { kind: 'verify', name: 'bob', confirm: false });
    assert.deepEqual(parseInput('/verify bob CONFIRM'), { kind: 'verify', name: 'bob', confirm: true });
    assert.deepEqual(parseInput('/accept-key bob'), { kind: 'accept-key', name: 'bob' });
    assert.deepEqual(parseInput('/unencrypted dave hi  there'), { kind: 'send', to: 'dave', text: 'hi  there', unencrypted: true });
    for (const bad of ['/verify', '/verify all', '/verify bob yes', '/accept-key', '/accept-key bob carol', '/unencrypted dave', '/unencrypted all hi']) {
      assert.equal(parseInput(bad).kind, 'invalid', bad);
    }
  });

  it('knows /who, /help, /quit and /exit', () => {
    assert.deepEqual(parseInput('/who'), { kind: 'who' });
    assert.deepEqual(parseInput('/help'), { kind: 'help' });
    assert.deepEqual(parseInput('/quit'), { kind: 'quit' });
    assert.deepEqual(parseInput('/EXIT'), { kind: 'quit' });
  });

  it('parses /history [name|all] [n] with everyone and 20 as defaults', () => {
    assert.deepEqual(parseInput('/history'), { kind: 'history', with: '*', limit: 20 });
    assert.deepEqual(parseInput('/history Bob'), { kind: 'history', with: 'bob', limit: 20 });
    assert.deepEqual(parseInput('/history all 5'), { kind: 'history', with: '*', limit: 5 });
    assert.deepEqual(parseInput('/history 7'), { kind: 'history', with: '*', limit: 7 });
  });

  it('refuses a bad /history', () => {
    assert.equal(parseInput('/history bob 0').kind, 'invalid');
    assert.equal(parseInput('/history bob 500').kind, 'invalid');
    assert.equal(parseInput('/history bob carol').kind, 'invalid');
    assert.equal(parseInput('/history b@d').kind, 'invalid');
  });

  it('parses /send NAME PATH with the path as the rest of the line or quoted', () => {
    assert.deepEqual(parseInput('/send Bob report.pdf'), { kind: 'send-file', to: 'bob', path: 'report.pdf' });
    assert.deepEqual(parseInput('/send bob my notes/week 3.txt'), { kind: 'send-file', to: 'bob', path: 'my notes/week 3.txt' });
    assert.deepEqual(parseInput('/send bob "two  spaces.txt"'), { kind: 'send-file', to: 'bob', path: 'two  spaces.txt' });
    assert.deepEqual(parseInput('/send bob "say \\"hi\\".txt"'), { kind: 'send-file', to: 'bob', path: 'say "hi".txt' });
    assert.deepEqual(parseInput('/send bob "C:\\dir\\a.txt"'), { kind: 'send-file', to: 'bob', path: 'C:\\dir\\a.txt' });
  });

  it('refuses a bad /send', () => {
    for (const bad of ['/send', '/send bob', '/send all a.txt', '/send b@d a.txt', '/send bob "open', '/send bob "a" b', '/send bob ""']) {
      assert.equal(parseInput(bad).kind, 'invalid', bad);
    }
    const unclosed = parseInput('/send bob "open');
    assert.ok(unclosed.kind === 'invalid' && /quote around the path is not closed/.test(unclosed.message));
  });

  it('parses /accept N [DIR], /decline N, /cancel N and /files; numbers or full ids', () => {
    assert.deepEqual(parseInput('/accept 3'), { kind: 'accept-file', ref: 3 });
    assert.deepEqual(parseInput('/accept #3 ~/Downloads/class files'), { kind: 'accept-file', ref: 3, dir: '~/Downloads/class files' });
    assert.deepEqual(parseInput('/accept 12 "in box"'), { kind: 'accept-file', ref: 12, dir: 'in box' });
    assert.deepEqual(parseInput('/accept f_Abc-123'), { kind: 'accept-file', ref: 'f_Abc-123' });
    assert.deepEqual(parseInput('/decline 2'), { kind: 'decline-file', ref: 2 });
    assert.deepEqual(parseInput('/CANCEL 4'), { kind: 'cancel-file', ref: 4 });
    assert.deepEqual(parseInput('/files'), { kind: 'files' });
    for (const bad of ['/accept', '/accept 0', '/accept 3 "x', '/decline', '/decline 1 2', '/cancel', '/files all']) {
      assert.equal(parseInput(bad).kind, 'invalid', bad);
    }
  });

  it('/help and --help list the file commands', () => {
    for (const command of ['/send bob PATH', '/accept 3 [DIR]', '/decline 3', '/cancel 3', '/files']) assert.ok(HELP.includes(command), command);
    for (const text of ['classchat send-file --to NAME', '--download-dir DIR', '/send bob PATH', '/accept N [DIR]', '/files']) assert.ok(USAGE.includes(text), text);
  });

  it('sends "#lab-3 hi" to the room, and refuses a bad room or a missing message', () => {
    assert.deepEqual(parseInput('#Lab-3 hi  there'), { kind: 'send', to: '#lab-3', text: 'hi  there' });
    assert.deepEqual(parseInput('@all #1 priority'), { kind: 'send', to: '*', text: '#1 priority' });
    for (const bad of ['#lab-3', '# hi', '#lab!3 hi', '#all hi']) assert.equal(parseInput(bad).kind, 'invalid', bad);
  });

  it('parses the room commands, normalising names with or without #', () => {
    const room = (line: string) => {
      const parsed = parseInput(line);
      return parsed.kind === 'room' ? parsed.command : parsed;
    };
    assert.deepEqual(room('/rooms'), { kind: 'rooms' });
    assert.deepEqual(room('/create Lab-3 Bob carol bob'), { kind: 'create', room: 'lab-3', members: ['bob', 'carol'], classRoom: false, encrypted: true, readOnly: false });
    assert.deepEqual(room('/create #section-a --class --clear --read-only'), { kind: 'create', room: 'section-a', members: [], classRoom: true, encrypted: false, readOnly: true });
    assert.deepEqual(room('/join section-a'), { kind: 'join', room: 'section-a' });
    assert.deepEqual(room('/leave #lab-3'), { kind: 'leave', room: 'lab-3' });
    assert.deepEqual(room('/add lab-3 dave erin'), { kind: 'add', room: 'lab-3', members: ['dave', 'erin'] });
    assert.deepEqual(room('/remove lab-3 Dave'), { kind: 'remove', room: 'lab-3', member: 'dave' });
    assert.deepEqual(room('/members lab-3'), { kind: 'members', room: 'lab-3' });
    assert.deepEqual(parseInput('/history #Lab-3 5'), { kind: 'history', with: '#lab-3', limit: 5 });
    for (const bad of ['/rooms x', '/create', '/create --class', '/create lab!3', '/create everyone', '/create lab-3 --x', '/create lab-3 b@d', '/join', '/join a b', '/leave', '/add lab-3', '/remove lab-3', '/remove lab-3 a b', '/members', '/history #b@d']) {
      assert.equal(parseInput(bad).kind, 'invalid', bad);
    }
    const reason = parseInput('/create lab!3 bob');
    assert.ok(reason.kind === 'invalid' && /"#lab!3" is not a valid room name: use 1-32 of a-z/.test(reason.message), JSON.stringify(reason));
  });

  it('/help and --help list the room commands', () => {
    for (const command of ['#lab-3 hi', '/rooms', '/create lab-3 bob carol', '/create section-a --class [--clear] [--read-only]', '/join section-a', '/leave lab-3', '/add lab-3 dave', '/remove lab-3 dave', '/members lab-3', '/history [name|all|#room] [n]']) {
      assert.ok(HELP.includes(command), command);
    }
    for (const text of ['"#lab-3 hi"', '/rooms', '/create', '/join', '/members']) assert.ok(USAGE.includes(text), text);
  });

  it('reads transfer numbers and ids strictly', () => {
    assert.equal(transferRef('7'), 7);
    assert.equal(transferRef('#7'), 7);
    assert.equal(transferRef('0'), undefined);
    assert.equal(transferRef('x'.repeat(65)), undefined);
    assert.equal(transferRef('a\u0000b'), undefined);
    assert.equal(transferRef('a b'), undefined);
    assert.deepEqual(pathArgument('   '), { error: 'the path is missing' });
  });

  it('reports an unknown command instead of sending it', () => {
    const result = parseInput('/whoo');
    assert.ok(result.kind === 'invalid' && /unknown command \/whoo/.test(result.message));
  });

  it('sends a line starting with // as text starting with /', () => {
    assert.deepEqual(parseInput('//shrug'), { kind: 'send', to: '*', text: '/shrug' });
  });

  it('ignores an empty line', () => {
    assert.deepEqual(parseInput('   '), { kind: 'empty' });
  });
});
