/**
 * A protocol-level test client: raw socket, validated frames, explicit waits. Server tests use
 * it to send exactly the frames they mean (the ChatClient library is tested on its own).
 */
import { connect, Socket } from 'node:net';
import { connect as tlsConnect, ConnectionOptions } from 'node:tls';
import { parseServerFrame } from '../../src/protocol/codec';
import type { ServerFrame, ServerFrameOf } from '../../src/protocol/frames';
import { generateIdentity, Identity, signLogin } from '../../src/crypto/identity';
import { FrameSocket } from './frame-socket';

export class RawClient extends FrameSocket<ServerFrame> {
  private constructor(socket: Socket) {
    super(socket, parseServerFrame, 'test client');
  }

  /** `localAddress` (e.g. 127.0.0.2) makes the connection count against another address. */
  static async open(port: number, waitForHello = true, localAddress?: string): Promise<RawClient> {
    const socket = connect({ port, host: '127.0.0.1', ...(localAddress ? { localAddress } : {}) });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const client = new RawClient(socket);
    if (waitForHello) await client.waitFor(() => (client.frames.some((frame) => frame.type === 'hello') ? true : undefined), 'hello');
    return client;
  }

  /** Connects with TLS (options as for node:tls `connect`) and waits for `hello`. */
  static async openTls(port: number, options: ConnectionOptions): Promise<RawClient> {
    const socket = tlsConnect({ host: '127.0.0.1', port, ...options });
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', resolve);
      socket.once('error', reject);
    });
    const client = new RawClient(socket);
    await client.waitFor(() => (client.frames.some((frame) => frame.type === 'hello') ? true : undefined), 'hello');
    return client;
  }

  /** Logs in on an open connection; returns the welcome frame. */
  async loginAs(name: string, identity?: Identity): Promise<{ identity: Identity; welcome: ServerFrameOf<'welcome'> }> {
    const id = identity ?? (await generateIdentity());
    await this.sendLogin(name, id);
    return { identity: id, welcome: await this.next('welcome') };
  }

  /** Connects and logs in; returns the welcome frame. */
  static async login(port: number, name: string, identity?: Identity, extra: Record<string, unknown> = {}): Promise<{ client: RawClient; identity: Identity; welcome: ServerFrameOf<'welcome'> }> {
    const client = await RawClient.open(port);
    const id = identity ?? (await generateIdentity());
    await client.sendLogin(name, id, extra);
    const welcome = await client.next('welcome');
    return { client, identity: id, welcome };
  }

  get hello(): ServerFrameOf<'hello'> {
    const hello = this.frames.find((frame): frame is ServerFrameOf<'hello'> => frame.type === 'hello');
    if (!hello) throw new Error('no hello yet');
    return hello;
  }

  async sendLogin(name: string, identity: Identity, extra: Record<string, unknown> = {}): Promise<void> {
    const signature = await signLogin(identity, this.hello.challenge, name.trim().toLowerCase());
    this.send({ type: 'login', v: 1, name, publicKey: identity.publicKey, signature, ...extra });
  }

  close(): void {
    this.socket.destroy();
  }
}
