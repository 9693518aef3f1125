/**
 * Images told by their first bytes, never by their names: a file called "cat.png" that holds
 * anything else is no image here. Only the kinds every webview draws safely: PNG, JPEG, GIF, WebP.
 */
import { open } from 'node:fs/promises';

export type ImageType = 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp';

/** Images larger than this show the plain file card (a preview travels to the webview as text). */
export const MAX_PREVIEW_BYTES = 5 * 1024 * 1024;

const EXTENSIONS: Readonly<Record<ImageType, string>> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/webp': 'webp' };

function startsWith(bytes: Uint8Array, at: number, expected: readonly number[] | string): boolean {
  const codes = typeof expected === 'string' ? Array.from(expected, (c) => c.charCodeAt(0)) : expected;
  if (bytes.length < at + codes.length) return false;
  return codes.every((code, i) => bytes[at + i] === code);
}

/** The image type `bytes` start with, or undefined when they are no image we show. */
export function imageTypeOf(bytes: Uint8Array): ImageType | undefined {
  // PNG: the 8-byte signature, then the IHDR chunk that must come first.
  if (startsWith(bytes, 0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) && startsWith(bytes, 12, 'IHDR')) return 'image/png';
  if (startsWith(bytes, 0, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, 0, 'GIF87a') || startsWith(bytes, 0, 'GIF89a')) return 'image/gif';
  if (startsWith(bytes, 0, 'RIFF') && startsWith(bytes, 8, 'WEBP')) return 'image/webp';
  return undefined;
}

/** "png", "jpg", "gif" or "webp": the extension a name for this type ends with. */
export function imageExtension(type: ImageType): string {
  return EXTENSIONS[type];
}

/** A data: URL of `bytes` when they are an image of at most MAX_PREVIEW_BYTES, else undefined. */
export function previewOfBytes(bytes: Uint8Array): string | undefined {
  if (bytes.length > MAX_PREVIEW_BYTES) return undefined;
  const type = imageTypeOf(bytes);
  return type === undefined ? undefined : `data:${type};base64,${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')}`;
}

/** The preview of the regular file at `path` (see previewOfBytes); undefined when it cannot be read. */
export async function previewOfFile(path: string): Promise<string | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
    const info = await handle.stat();
    if (!info.isFile() || info.size > MAX_PREVIEW_BYTES) return undefined;
    // Read at most one byte past the limit: a file that grew since stat is still refused.
    const buffer = Buffer.alloc(Math.min(info.size, MAX_PREVIEW_BYTES) + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return previewOfBytes(buffer.subarray(0, bytesRead));
  } catch {
    return undefined;
  } finally {
    await handle?.close();
  }
}
