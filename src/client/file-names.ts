/**
 * Received file names come from another person: make them safe to create in a folder the user
 * chose (no path, no control characters, no device names, bounded length) and never overwrite
 * an existing file.
 */
import { copyFile, constants, link, unlink } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { imageExtension, imageTypeOf } from './image-types';

const MAX_NAME_BYTES = 200;
/**
 * Control characters, line separators and every Unicode format character (Cf): bidi overrides
 * that make "exe.txt" look like "txt.exe", zero-width spaces and joiners, word joiners, BOMs:
 * all invisible, so two names that look the same could differ.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;
/** Characters Windows forbids in names (and path separators everywhere). */
const FORBIDDEN = /[<>:"/\\|?*]/g;
/**
 * Windows device names, reserved with any extension ("CON.txt", "nul.tar.gz") and with spaces
 * before it ("CON .txt"): Windows cuts a name at its first dot and drops trailing spaces before
 * it compares it with the device names.
 */
const DEVICE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$) *(\..*)?$/i;

/** A name safe to create in any folder on Windows, macOS and Linux; never empty, never a path. */
export function sanitizeFileName(raw: string): string {
  // Keep only the last path component, whichever separator the sender's system used.
  let name = raw.normalize('NFC').split(/[/\\]/).pop() ?? '';
  name = name.replace(INVISIBLE, '').replace(FORBIDDEN, '_');
  // Windows drops trailing dots and spaces; leading dots would hide the file on Unix.
  name = name.replace(/^[\s.]+/, '').replace(/[\s.]+$/, '');
  if (DEVICE.test(name)) name = `_${name}`;
  name = truncateName(name, MAX_NAME_BYTES);
  return name === '' ? 'received-file' : name;
}

/**
 * The name a pasted or dropped file is sent under: its own, made safe like a received one; a
 * pasted image without one gets "pasted-image-20261208-142509.png" (its type from its bytes).
 */
export function pastedFileName(raw: string, bytes: Uint8Array, now: Date): string {
  if (raw.trim() !== '') return sanitizeFileName(raw);
  const two = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${two(now.getMonth() + 1)}${two(now.getDate())}-${two(now.getHours())}${two(now.getMinutes())}${two(now.getSeconds())}`;
  const type = imageTypeOf(bytes);
  return type === undefined ? `pasted-file-${stamp}` : `pasted-image-${stamp}.${imageExtension(type)}`;
}

/** Shortens to `maxBytes` of UTF-8, keeping the extension and whole characters. */
function truncateName(name: string, maxBytes: number): string {
  if (Buffer.byteLength(name, 'utf8') <= maxBytes) return name;
  let extension = extname(name);
  if (Buffer.byteLength(extension, 'utf8') > 20) extension = '';
  const stem = name.slice(0, name.length - extension.length);
  let kept = '';
  for (const character of stem) {
    if (Buffer.byteLength(kept + character + extension, 'utf8') > maxBytes) break;
    kept += character;
  }
  return kept.replace(/[\s.]+$/, '') + extension;
}

/** "report.pdf", then "report (1).pdf", "report (2).pdf", … */
export function numberedName(name: string, n: number): string {
  if (n === 0) return name;
  const extension = extname(name);
  const stem = extension && extension !== name ? name.slice(0, -extension.length) : name;
  return `${stem} (${n})${extension === name ? '' : extension}`;
}

/**
 * Moves the finished `temporary` file into `dir` under `name` or the first free numbered
 * variant. Linking fails if the name exists, so a file that appears meanwhile is not overwritten.
 * Returns the final path.
 */
export async function placeWithoutOverwrite(temporary: string, dir: string, name: string): Promise<string> {
  for (let n = 0; n < 10_000; n++) {
    const candidate = join(dir, numberedName(name, n));
    try {
      await link(temporary, candidate);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      // Some file systems (FAT, some network shares) have no hard links: copy exclusively instead.
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV' && code !== 'ENOSYS') throw error;
      try {
        await copyFile(temporary, candidate, constants.COPYFILE_EXCL);
      } catch (copyError) {
        if ((copyError as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw copyError;
      }
    }
    await unlink(temporary);
    return candidate;
  }
  throw new Error(`too many files named like ${name} in ${dir}`);
}
