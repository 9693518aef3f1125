import { strict as assert } from 'node:assert';
import { parseServerList, ServerList } from '../../src/client/server-list';
import { parseCli } from '../../src/cli/classchat-options';
import { UsageError } from '../../src/cli/options';

describe('server lists (several nodes of one server)', () => {
  it('parses host:port lists, a bare host taking the default port, and cycles through them', () => {
    assert.deepEqual(parseServerList('a.school:5050, 10.0.0.2:6000,[::1]:7000,c', 5050), [
      { host: 'a.school', port: 5050 },
      { host: '10.0.0.2', port: 6000 },
      { host: '::1', port: 7000 },
      { host: 'c', port: 5050 },
    ]);
    assert.throws(() => parseServerList('a:b', 5050), RangeError);
    const list = new ServerList({ host: 'a', port: 1 }, [{ host: 'b', port: 2 }, { host: 'a', port: 1 }]);
    assert.deepEqual([list.current.host, list.advance().host, list.advance().host], ['a', 'b', 'a']);
  });

  it('classchat --server gives the first node as host and port and the rest as servers', () => {
    const command = parseCli(['--server', '127.0.0.1:6001,127.0.0.1:6002', '--name', 'alice']);
    assert.equal(command.kind, 'chat');
    if (command.kind !== 'chat') return;
    assert.deepEqual([command.settings.host, command.settings.port, command.settings.servers], ['127.0.0.1', 6001, [{ host: '127.0.0.1', port: 6002 }]]);
    assert.throws(() => parseCli(['--server', '127.0.0.1:99999', '--name', 'alice']), UsageError);
  });
});
