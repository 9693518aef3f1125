/**
 * A protocol-level test client: raw socket, validated frames, explicit waits. Server tests use
 * it to send exactly the frames they mean (the ChatClient library is tested on its own).
 */
import { connect, Socket } from 'node:net';
import { LineDecoder } from '../../src/protocol/line-decoder';
import { LIMITS } from '../../src/protocol/limits';
import { parseServerFrame } from '../../src/protocol/codec';
import type { ServerFrame, ServerFrameOf, ServerFrameType } from '../../src/protocol/frames';
import { generateIdentity, Identity, signLogin } from '../../src/crypto/identity';

export class RawClient {
  readonly frames: ServerFrame[] = [];
  readonly invalid: string[] = [];
  closed = false;
  private waiters: Array<() => void> = [];
  private readonly decoder = new LineDecoder(LIMITS.maxServerLineBytes);

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const result of this.decoder.push(chunk)) {
        if (result.kind === 'error') this.invalid.push(result.code);
        else {
          const parsed = parseServerFrame(result.text);
          if (parsed.ok) this.frames.push(parsed.frame);
          else this.invalid.push(result.text);
        }
      }
      this.notify();
    });
    socket.on('close', () => {
      this.closed = true;
      this.notify();
    });
    socket.on('error', () => undefined);
  }

  static async open(port: number, waitForHello = true): Promise<RawClient> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const client = new RawClient(socket);
    if (waitForHello) await client.waitFor(() => (client.frames.some((frame) => frame.type === 'hello') ? true : undefined), 'hello');
    return client;
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

  send(frame: Record<string, unknown>): void {
    this.socket.write(JSON.stringify(frame) + '\n');
  }

  writeRaw(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Frames of a type received so far. */
  all<T extends ServerFrameType>(type: T): ServerFrameOf<T>[] {
    return this.frames.filter((frame) => frame.type === type) as ServerFrameOf<T>[];
  }

  /** Waits for the first not-yet-consumed frame of `type` matching `where`. */
  async next<T extends ServerFrameType>(type: T, where: (frame: ServerFrameOf<T>) => boolean = () => true, timeoutMs = 5000): Promise<ServerFrameOf<T>> {
    return this.waitFor(() => {
      const index = this.frames.findIndex((frame) => frame.type === type && where(frame as ServerFrameOf<T>));
      if (index === -1) return undefined;
      const [frame] = this.frames.splice(index, 1);
      return frame as ServerFrameOf<T>;
    }, `${type} frame`, timeoutMs);
  }

  /** Waits until `probe` returns a value. */
  async waitFor<R>(probe: () => R | undefined, what: string, timeoutMs = 5000): Promise<R> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value !== undefined) return value;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.frames.map((frame) => frame.type))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async waitClosed(timeoutMs = 5000): Promise<void> {
    await this.waitFor(() => (this.closed ? true : undefined), 'socket close', timeoutMs);
  }

  close(): void {
    this.socket.destroy();
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }
}
