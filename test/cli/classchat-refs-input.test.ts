import { strict as assert } from 'node:assert';
import { HELP, parseInput } from '../../src/cli/classchat-input';
import { messageNumber } from '../../src/cli/classchat-refs-input';

describe('classchat message and moderation commands', () => {
  it('names a message by the number printed with it: 41, #41 or (#41)', () => {
    for (const raw of ['41', '#41', '(#41)']) assert.equal(messageNumber(raw), 41, raw);
    for (const raw of ['0', '-1', 'x', '#', '4.1', '9'.repeat(16)]) assert.equal(messageNumber(raw), undefined, raw);
  });

  it('parses /reply, /edit (with or without a number), /delete, /react, /unreact and /search, keeping the text as typed', () => {
    assert.deepEqual(parseInput('/reply 41 sure,  page 2'), { kind: 'message-command', command: { kind: 'reply', seq: 41, text: 'sure,  page 2' } });
    assert.deepEqual(parseInput('/edit #41 fixed'), { kind: 'message-command', command: { kind: 'edit', seq: 41, text: 'fixed' } });
    assert.deepEqual(parseInput('/edit meet at 6'), { kind: 'message-command', command: { kind: 'edit', text: 'meet at 6' } });
    assert.deepEqual(parseInput('/DELETE 41'), { kind: 'message-command', command: { kind: 'delete', seq: 41 } });
    assert.deepEqual(parseInput('/react 41 👍'), { kind: 'message-command', command: { kind: 'react', seq: 41, emoji: '👍' } });
    assert.deepEqual(parseInput('/unreact 41 yes'), { kind: 'message-command', command: { kind: 'unreact', seq: 41, emoji: 'yes' } });
    assert.deepEqual(parseInput('/search lab  sheet from:bob in:#lab-3'), { kind: 'message-command', command: { kind: 'search', query: 'lab sheet from:bob in:#lab-3' } });
  });

  it('parses the moderation commands', () => {
    assert.deepEqual(parseInput('/mute Bob 10'), { kind: 'moderate', command: { kind: 'mute', name: 'bob', minutes: 10 } });
    assert.deepEqual(parseInput('/unmute @bob'), { kind: 'moderate', command: { kind: 'unmute', name: 'bob' } });
    assert.deepEqual(parseInput('/exam ON'), { kind: 'moderate', command: { kind: 'exam', on: true } });
    assert.deepEqual(parseInput('/exam off'), { kind: 'moderate', command: { kind: 'exam', on: false } });
    assert.deepEqual(parseInput('/ban bob'), { kind: 'moderate', command: { kind: 'ban', name: 'bob' } });
    assert.deepEqual(parseInput('/unban bob'), { kind: 'moderate', command: { kind: 'unban', name: 'bob' } });
  });

  it('says why a command is wrong', () => {
    const reason = (line: string) => {
      const parsed = parseInput(line);
      return parsed.kind === 'invalid' ? parsed.message : `not refused: ${JSON.stringify(parsed)}`;
    };
    assert.match(reason('/reply'), /usage: \/reply N text/);
    assert.match(reason('/reply 41'), /write your answer after the number/);
    assert.match(reason('/edit'), /usage: \/edit N text, or \/edit text/);
    assert.match(reason('/edit 41'), /write the new text after the number: \/edit 41 text \(to delete it: \/delete 41\)/);
    assert.match(reason('/delete 41 now'), /usage: \/delete N/);
    assert.match(reason('/react 41'), /say which reaction: \/react 41 👍/);
    assert.match(reason('/react 41 ' + 'x'.repeat(33)), /at most 32 bytes/);
    assert.match(reason('/search in:bob'), /say which words to find/);
    assert.match(reason('/mute bob'), /usage: \/mute NAME MINUTES/);
    assert.match(reason('/mute bob 0'), /a mute lasts 1-10080 minutes/);
    assert.match(reason('/mute bob 10081'), /a mute lasts 1-10080 minutes/);
    assert.match(reason('/mute b!ob 5'), /usage: \/mute/);
    assert.match(reason('/exam maybe'), /usage: \/exam on\|off/);
    assert.match(reason('/ban'), /usage: \/ban NAME/);
  });

  it('lists every message and moderation command in /help', () => {
    for (const command of ['/reply', '/edit', '/delete', '/react', '/unreact', '/search', '/mute', '/unmute', '/exam', '/ban', '/unban']) assert.match(HELP, new RegExp(`${command} `), command);
  });
});
