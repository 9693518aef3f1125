/**
 * Linking a new device, both sides (PROTOCOL.md 22.3, 22.4): the new device commits, reveals and
 * shows the 6-digit code; the primary checks the commitment, compares the code the user types,
 * signs the list with the new device added and seals the provisioning bundle to it. And making
 * a first (primary) device for a name.
 */
import { ClassChatError } from '../../protocol/errors';
import { checkLinkCommitment, generateEphemeralKeyPair, linkCode, linkCommitment, LinkParameters, linkTranscript, openBundle, sameLinkCode, sealBundle } from '../../crypto/device-link';
import { signDeviceList, withDevice } from '../../crypto/device-list';
import { generateIdentity, Identity } from '../../crypto/identity';
import { sodiumReady, toBase64 } from '../../crypto/sodium';
import type { BundlePin, ProvisioningBundle } from '../../protocol/device-frames';
import type { Connection } from '../connection';
import { DeviceKeys, DeviceSession, generateDeviceKeys, openConnection } from './device-session';
import type { FrameWaiter } from './frame-waiter';

export interface NewPrimary {
  session: DeviceSession;
  identity: Identity;
  /** Shown once, to write down (22.8). */
  recoveryCode: string;
}

/** The first device of a name (or of a v3 user who has `identity`): list version 1, then a recovery code. */
export async function createPrimary(options: { host: string; port: number; name: string; label: string; identity?: Identity }): Promise<NewPrimary> {
  const sodium = await sodiumReady();
  const identity = options.identity ?? (await generateIdentity());
  const device = generateDeviceKeys(sodium, options.label);
  const deviceList = signDeviceList(sodium, identity, { user: options.name, version: 1, primary: device.id, devices: [{ id: device.id, publicKey: device.publicKey, label: device.label, added: Date.now() }] });
  const session = await DeviceSession.login({ host: options.host, port: options.port, name: options.name, identityKey: identity.publicKey, device, identity, deviceList });
  const recoveryCode = await session.makeRecoveryCode();
  return { session, identity, recoveryCode };
}

export class LinkError extends Error {
  constructor(
    readonly problem: string,
    message: string,
  ) {
    super(message);
    this.name = 'LinkError';
  }
}

export interface NewDeviceOptions {
  host: string;
  port: number;
  name: string;
  label: string;
  /** Shown the code; resolves true once the user saw the primary show the same one. */
  confirm: (code: string) => Promise<boolean>;
}

/** What a new device holds once the primary approved it: its keys, the person's identity key, the opened bundle. */
export interface Provisioned {
  device: DeviceKeys;
  identityKey: string;
  bundle: ProvisioningBundle;
}

/**
 * The new device's side, up to the opened bundle, on `opened` (not logged in). Nothing from the
 * server is accepted before `confirm` resolves true.
 */
export async function provisionNewDevice(options: NewDeviceOptions, opened: { connection: Connection; waiter: FrameWaiter }): Promise<Provisioned> {
  const sodium = await sodiumReady();
  const { connection, waiter } = opened;
  const device = generateDeviceKeys(sodium, options.label);
  const ephemeral = generateEphemeralKeyPair(sodium);
  const deviceNonce = toBase64(sodium, sodium.randombytes_buf(32));
  const rid = 'link-request';
  connection.write({ type: 'link_request', rid, name: options.name, device: device.id, deviceKey: device.publicKey, ephemeralKey: ephemeral.publicKey, label: device.label, commitment: linkCommitment(sodium, device.publicKey, ephemeral.publicKey, deviceNonce) });
  const pending = await waiter.next('link_pending', (frame) => frame.rid === rid, (error) => error.rid === rid);
  const link = pending.link;
  const ended = (error: { rid?: string }) => error.rid === link;
  const nonce = await waiter.next('link_nonce', (frame) => frame.link === link, ended, 5 * 60_000);
  connection.write({ type: 'link_reveal', link, nonce: deviceNonce });
  const parameters: LinkParameters = { name: options.name, identityKey: pending.identityKey, device: device.id, deviceKey: device.publicKey, ephemeralKey: ephemeral.publicKey, label: device.label, deviceNonce, primaryNonce: nonce.nonce };
  const code = linkCode(sodium, linkTranscript(sodium, parameters));
  if (!(await options.confirm(code))) {
    connection.write({ type: 'link_cancel', link, reason: 'mismatch' });
    throw new LinkError('mismatch', 'the codes did not match: the link was cancelled');
  }
  const approved = await Promise.race([
    waiter.next('link_approved', (frame) => frame.link === link, ended, 5 * 60_000),
    waiter.next('link_cancelled', (frame) => frame.link === link, undefined, 5 * 60_000).then((cancelled) => {
      throw new LinkError(cancelled.reason, `the link was ended: ${cancelled.reason}`);
    }),
  ]);
  const bundle = openBundle(sodium, approved.bundle, ephemeral, parameters);
  if (!bundle.ok) throw new LinkError(bundle.problem, `the primary's bundle was refused (${bundle.problem})`);
  return { device, identityKey: pending.identityKey, bundle: bundle.bundle };
}

/** The new device's side, then logged in as a device on the same connection. */
export async function linkNewDevice(options: NewDeviceOptions): Promise<DeviceSession> {
  const opened = await openConnection(options.host, options.port);
  try {
    const { device, identityKey, bundle } = await provisionNewDevice(options, opened);
    const pins = new Map(bundle.pins.map((pin) => [pin.name, pin.key] as [string, string]));
    return await DeviceSession.login({ host: options.host, port: options.port, name: options.name, identityKey, device, pins, lists: [bundle.list], connection: opened });
  } catch (error) {
    opened.connection.destroy();
    throw error;
  }
}

/**
 * The primary's side, for a `link_request` it was shown. `typedCode` is asked for once the new
 * device has revealed its nonce (the code exists only then); a code that differs cancels the link.
 */
/** What approving needs of the primary's session: a DeviceSession, or ChatClient's device mode. */
export type LinkApprover = Pick<DeviceSession, 'name' | 'identityKey' | 'identitySecret' | 'lists' | 'device' | 'pinnedKey' | 'write' | 'next'> & {
  /** The pins to hand over (ChatClient: all of them, with verified marks); default: those of users with a list. */
  bundlePins?: () => BundlePin[];
};

export async function approveLink(session: LinkApprover, request: { link: string; device: string; deviceKey: string; ephemeralKey: string; label: string; commitment: string }, typedCode: () => Promise<string>): Promise<void> {
  const sodium = await sodiumReady();
  const identity = session.identitySecret;
  const list = session.lists.trusted(session.name);
  if (!identity || !list || list.primary !== session.device.id) throw new ClassChatError('forbidden', `approve it on the primary device`);
  const link = request.link;
  const primaryNonce = toBase64(sodium, sodium.randombytes_buf(32));
  session.write({ type: 'link_nonce', link, nonce: primaryNonce });
  const reveal = await session.next('link_reveal', (frame) => frame.link === link, (error) => error.rid === link, 5 * 60_000);
  const cancel = (reason: 'mismatch' | 'refused', text: string): never => {
    session.write({ type: 'link_cancel', link, reason });
    throw new LinkError(reason, text);
  };
  if (!checkLinkCommitment(sodium, request.commitment, request.deviceKey, request.ephemeralKey, reveal.nonce)) cancel('mismatch', 'the new device did not keep its commitment: someone may be in the middle');
  const parameters: LinkParameters = { name: session.name, identityKey: session.identityKey, device: request.device, deviceKey: request.deviceKey, ephemeralKey: request.ephemeralKey, label: request.label, deviceNonce: reveal.nonce, primaryNonce };
  const transcript = linkTranscript(sodium, parameters);
  if (!sameLinkCode(await typedCode(), linkCode(sodium, transcript))) cancel('mismatch', 'the codes differ: the link was cancelled (someone may be in the middle)');
  const next = signDeviceList(sodium, identity, withDevice(list, { id: request.device, publicKey: request.deviceKey, label: request.label, added: Date.now() }));
  const pins =
    session.bundlePins?.() ??
    [...session.lists.trustedNames()].flatMap((name) => {
      const key = session.pinnedKey(name);
      return key && name !== session.name ? [{ name, key, verified: false }] : [];
    });
  const bundle = sealBundle(sodium, identity, transcript, request.ephemeralKey, { v: 1, transcript: toBase64(sodium, transcript), name: session.name, identityKey: session.identityKey, list: next, readSeq: 0, pins });
  session.write({ type: 'link_approve', link, list: next, bundle });
  await session.next('done', (frame) => frame.rid === link, (error) => error.rid === link);
  session.lists.accept(next);
}
