import { strict as assert } from 'node:assert';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { readConnectionSettings, readDownloadFolder, readLocalServerSettings, SettingsError, suggestUserName, userNameProblem } from '../../src/extension/settings';

const from = (values: Record<string, unknown>) => (key: string) => values[key];

describe('extension settings', () => {
  it('uses the defaults when nothing is set', () => {
    assert.deepEqual(readConnectionSettings(from({})), {
      host: '127.0.0.1',
      port: 5050,
      servers: [],
      userName: undefined,
      joinCode: undefined,
      autoConnect: false,
      tls: undefined,
    });
    assert.deepEqual(readLocalServerSettings(from({})), { host: '127.0.0.1', port: 5050, dataDir: undefined });
  });

  it('reads the other nodes of the server (classchat.servers), a bare host taking classchat.port', () => {
    const { servers } = readConnectionSettings(from({ port: 6000, servers: ['chat2.school.example:5051', 'chat3.school.example', '[::1]:7000'] }));
    assert.deepEqual(servers, [
      { host: 'chat2.school.example', port: 5051 },
      { host: 'chat3.school.example', port: 6000 },
      { host: '::1', port: 7000 },
    ]);
  });

  it('refuses a server list that is no list of host:port, naming classchat.servers and the bad entry', () => {
    for (const servers of ['chat2:5050', [5050], ['chat2:0'], ['chat2:70000'], ['chat 2:5050'], ['a:1,b:2'], [''], Array.from({ length: 17 }, (_, i) => `n${i}:5050`)]) {
      assert.throws(
        () => readConnectionSettings(from({ servers })),
        (error: unknown) => error instanceof SettingsError && error.setting === 'classchat.servers' && /host:port/.test(error.message),
        JSON.stringify(servers),
      );
    }
  });

  it('normalises the user name as the server does', () => {
    assert.equal(readConnectionSettings(from({ userName: '  Alice ' })).userName, 'alice');
  });

  it('refuses values settings.json can hold but the schema forbids, naming the setting', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ port: 0 }, 'classchat.port'],
      [{ port: 70000 }, 'classchat.port'],
      [{ port: '5050' }, 'classchat.port'],
      [{ port: 50.5 }, 'classchat.port'],
      [{ host: 'my host' }, 'classchat.host'],
      [{ host: '' }, 'classchat.host'],
      [{ userName: 'all' }, 'classchat.userName'],
      [{ userName: 'not valid!' }, 'classchat.userName'],
      [{ autoConnect: 'yes' }, 'classchat.autoConnect'],
    ];
    for (const [values, setting] of cases) {
      assert.throws(() => readConnectionSettings(from(values)), (error: unknown) => error instanceof SettingsError && error.setting === setting, JSON.stringify(values));
    }
    assert.throws(() => readLocalServerSettings(from({ 'localServer.host': '10.0.0.1' })), SettingsError);
    assert.equal(readLocalServerSettings(from({ 'localServer.port': 0 })).port, 0, 'port 0 picks a free port');
  });

  it('reads the TLS settings only when TLS is on, with the fingerprint made canonical', () => {
    const fingerprint = 'ab'.repeat(32);
    assert.equal(readConnectionSettings(from({ 'tls.fingerprint': fingerprint })).tls, undefined);
    assert.deepEqual(readConnectionSettings(from({ 'tls.enabled': true })).tls, {});
    assert.deepEqual(readConnectionSettings(from({ 'tls.enabled': true, 'tls.fingerprint': ` ${fingerprint} `, 'tls.caFile': '/etc/classchat/cert.pem' })).tls, {
      fingerprint: 'AB:'.repeat(31) + 'AB',
      caFile: '/etc/classchat/cert.pem',
    });
    assert.equal(readConnectionSettings(from({ 'tls.enabled': true, 'tls.caFile': '~/cert.pem' })).tls?.caFile, join(homedir(), 'cert.pem'));
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ 'tls.enabled': 'yes' }, 'classchat.tls.enabled'],
      [{ 'tls.enabled': true, 'tls.fingerprint': 'AB:CD' }, 'classchat.tls.fingerprint'],
      [{ 'tls.enabled': true, 'tls.caFile': 'cert.pem' }, 'classchat.tls.caFile'],
      [{ 'tls.enabled': true, 'tls.caFile': 42 }, 'classchat.tls.caFile'],
    ];
    for (const [values, setting] of cases) {
      assert.throws(() => readConnectionSettings(from(values)), (error: unknown) => error instanceof SettingsError && error.setting === setting, JSON.stringify(values));
    }
  });

  it('explains what is wrong with a typed user name', () => {
    assert.equal(userNameProblem('bob'), undefined);
    assert.equal(userNameProblem('Bob'), undefined);
    assert.match(userNameProblem('') ?? '', /Type a name/);
    assert.match(userNameProblem('everyone') ?? '', /reserved/);
    assert.match(userNameProblem('x'.repeat(33)) ?? '', /1-32/);
    assert.match(userNameProblem('a b') ?? '', /1-32/);
  });

  it('suggests a usable name from the OS user name', () => {
    assert.equal(suggestUserName('Alice Smith'), 'alicesmith');
    assert.equal(suggestUserName('DOMAIN\\bob'), 'domainbob');
    assert.equal(suggestUserName('Élodie'), 'lodie');
    assert.equal(suggestUserName('root'), 'root');
    assert.equal(suggestUserName('всё'), undefined);
    assert.equal(suggestUserName('server'), undefined, 'reserved names are not suggested');
  });

  it('opens Save… in the Downloads folder by default, else home, or in the folder set', () => {
    const home = '/home/alice';
    const folders = new Set(['/home/alice/Downloads']);
    const isDirectory = (path: string) => folders.has(path);
    assert.equal(readDownloadFolder(from({}), home, isDirectory), '/home/alice/Downloads');
    assert.equal(readDownloadFolder(from({ downloadFolder: '  ' }), home, () => false), home, 'no Downloads folder: home');
    assert.equal(readDownloadFolder(from({ downloadFolder: '/srv/class' }), home, isDirectory), '/srv/class');
    assert.equal(readDownloadFolder(from({ downloadFolder: '~/classchat' }), home, isDirectory), join(home, 'classchat'));
    assert.equal(readDownloadFolder(from({ downloadFolder: '~' }), home, isDirectory), home);
    for (const bad of ['downloads', './in', 42, true]) {
      assert.throws(
        () => readDownloadFolder(from({ downloadFolder: bad }), home, isDirectory),
        (error: unknown) => error instanceof SettingsError && error.setting === 'classchat.downloadFolder',
        String(bad),
      );
    }
  });
});
