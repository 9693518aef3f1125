import { strict as assert } from 'node:assert';
import { join, resolve } from 'node:path';
import { nameFromOs, parseCli } from '../../src/cli/classchat-options';
import { UsageError } from '../../src/cli/options';

const env = { CLASSCHAT_HOME: '/home/test/.classchat' };
const os = () => 'Alice';
const parse = (...argv: string[]) => parseCli(argv, env, os);

function usage(pattern: RegExp) {
  return (error: unknown) => error instanceof UsageError && pattern.test(error.message);
}

describe('classchat options', () => {
  it('defaults to 127.0.0.1:5050, the OS user name and the per-server key file', () => {
    assert.deepEqual(parse(), {
      kind: 'chat',
      settings: { host: '127.0.0.1', port: 5050, name: 'alice', keyFile: join('/home/test/.classchat', 'keys', '127.0.0.1-5050', 'alice.json') },
      downloadDir: resolve('.'),
    });
  });

  it('takes host, port, name, join code and key file', () => {
    const command = parse('--host', 'chat.school', '--port', '6000', '--name', 'Bob', '--join-code', ' abc ', '--key-file', 'k.json');
    assert.deepEqual(command, { kind: 'chat', settings: { host: 'chat.school', port: 6000, name: 'bob', joinCode: 'abc', keyFile: resolve('k.json') }, downloadDir: resolve('.') });
  });

  it('takes --download-dir for the chat only', () => {
    const command = parse('--download-dir', 'inbox');
    assert.ok(command.kind === 'chat');
    assert.equal(command.downloadDir, resolve('inbox'));
    assert.throws(() => parse('--download-dir', ' '), usage(/--download-dir must not be empty/));
    assert.throws(() => parse('send-file', '--to', 'bob', '--download-dir', 'x', 'a.txt'), usage(/belongs to the interactive chat/));
  });

  it('parses send-file with one or more paths', () => {
    const command = parse('send-file', '--to', 'Bob', 'a.txt', 'my report.pdf');
    assert.ok(command.kind === 'send-file');
    assert.equal(command.to, 'bob');
    assert.deepEqual(command.paths, ['a.txt', 'my report.pdf']);
    assert.equal(command.timeoutMs, 30_000);
    assert.equal(parse('send-file', '--to', 'bob', '--timeout', '5', 'a').kind, 'send-file');
  });

  it('refuses a send-file without a recipient, to everyone, without files or with --unencrypted', () => {
    assert.throws(() => parse('send-file', 'a.txt'), usage(/send-file needs --to NAME$/));
    assert.throws(() => parse('send-file', '--to', 'all', 'a.txt'), usage(/to one person/));
    assert.throws(() => parse('send-file', '--to', 'bob'), usage(/needs at least one file/));
    assert.throws(() => parse('send-file', '--to', 'bob', ''), usage(/must not be empty/));
    assert.throws(() => parse('send-file', '--to', 'bob', '--unencrypted', 'a'), usage(/always end-to-end encrypted/));
    assert.throws(() => parse('send-file', '--to', 'b@d', 'a'), usage(/not a valid user name/));
  });

  it('parses send with the text from the remaining words', () => {
    const command = parse('send', '--to', 'Bob', 'build', 'finished');
    assert.ok(command.kind === 'send');
    assert.equal(command.to, 'bob');
    assert.equal(command.text, 'build finished');
    assert.equal(command.timeoutMs, 30_000);
    assert.equal(command.unencrypted, false);
    const plain = parse('send', '--to', 'dave', '--unencrypted', 'hi');
    assert.ok(plain.kind === 'send' && plain.unencrypted);
    assert.throws(() => parse('--unencrypted'), /belong to "classchat send"/);
  });

  it('accepts all, everyone and * as "everyone" for --to', () => {
    for (const to of ['all', 'everyone', '*', 'ALL']) {
      const command = parse('send', '--to', to, 'hi');
      assert.ok(command.kind === 'send' && command.to === '*', to);
    }
  });

  it('returns help for --help and -h', () => {
    assert.deepEqual(parse('--help'), { kind: 'help' });
    assert.deepEqual(parse('-h'), { kind: 'help' });
  });

  it('explains each invalid option', () => {
    assert.throws(() => parse('--port', '0'), usage(/--port must be a port number from 1 to 65535/));
    assert.throws(() => parse('--port', '70000'), usage(/--port/));
    assert.throws(() => parse('--port', 'abc'), usage(/--port/));
    assert.throws(() => parse('--name', 'two words'), usage(/--name: "two words" is not a valid user name/));
    assert.throws(() => parse('--name', 'server'), usage(/reserved/));
    assert.throws(() => parse('--host', ''), usage(/--host/));
    assert.throws(() => parse('--join-code', ' '), usage(/--join-code must not be empty/));
    assert.throws(() => parse('--colour'), usage(/colour/));
  });

  it('explains what send is missing', () => {
    assert.throws(() => parse('send', 'hi'), usage(/send needs --to/));
    assert.throws(() => parse('send', '--to', 'bob'), usage(/needs the message text/));
    assert.throws(() => parse('send', '--to', 'no way', 'hi'), usage(/--to/));
    assert.throws(() => parse('send', '--to', 'bob', '--timeout', '0', 'hi'), usage(/--timeout/));
    assert.throws(() => parse('--to', 'bob'), usage(/belong to "classchat send"/));
    assert.throws(() => parse('hello'), usage(/unknown command "hello"/));
  });

  it('makes a user name from the OS account name', () => {
    assert.equal(nameFromOs(() => 'John Smith'), 'john_smith');
    assert.equal(nameFromOs(() => 'x'.repeat(40)), 'x'.repeat(32));
    assert.throws(() => nameFromOs(() => 'server'), usage(/pass --name/));
    assert.throws(() => nameFromOs(() => { throw new Error('no passwd entry'); }), usage(/pass --name/));
  });
});
