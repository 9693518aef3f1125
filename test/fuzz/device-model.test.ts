/**
 * Model-based fuzzing of linked devices (issue 18, PROTOCOL.md 22) against a real server: users
 * with one to three devices, devices linked and removed mid-run, going offline and coming back,
 * private messages from any device to anyone (yourself too). Every device gets exactly what was
 * sealed to it, opened, once and in order: see DeviceHarness.
 */
import { fuzzModel, fuzzSettings } from './fuzz-options';
import { deviceCommands, initialDeviceModel } from './device-commands';
import { DeviceHarness } from './device-harness';

const NAMES = ['ann', 'ben', 'cat'];

describe('fuzz: linked devices against a delivery model', function () {
  const settings = fuzzSettings('devices', 10);
  this.timeout(settings.timeoutMs);

  it('delivers each private message once, in order and readable, to every device of the recipient and the sender\'s other devices, as devices are linked, removed, and go offline and come back', async () => {
    await fuzzModel(deviceCommands(NAMES, 30, settings.replayPath), () => DeviceHarness.start(NAMES), () => initialDeviceModel(NAMES), settings);
  });
});
