// Writing the image `occmesh compile -o FILE` produces, without ever losing the user's data: the source is never
// overwritten, nor any existing file that is not an occmesh image, and the image is written to a temporary file
// beside the target and renamed over it, so a failed write (a full disk, say) leaves no partial file behind.
// Every failure is an OutputError with a plain-English reason, which the command reports as
// `occmesh: cannot write FILE: REASON`.

import { closeSync, openSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { IMAGE_FORMAT } from '../emulator/image.js';

export class OutputError extends Error {}

const NOT_AN_IMAGE = 'it exists and is not an occmesh image (remove it first if it is not needed)';
/** An existing file larger than this is not read to see whether it is an image: no image is that large. */
const MAX_IMAGE_BYTES = 1 << 30;

/** Why `output` must not receive the image compiled from `input`, or null if it may. */
export function refusalToWrite(input: string, output: string, readFile: (path: string) => Uint8Array): string | null {
  if (output === '') return 'no file name given';
  const target = statOrNull(output);
  if (!target) return null;
  if (target.isDirectory()) return 'it is a directory';
  if (!target.isFile()) return null; // a device or a pipe (/dev/stdout, say): written to directly
  const source = statOrNull(input);
  if (source && source.dev === target.dev && source.ino === target.ino) return 'it is the program being compiled';
  if (target.size > MAX_IMAGE_BYTES) return NOT_AN_IMAGE;
  let text: string;
  try {
    text = Buffer.from(readFile(output)).toString('utf8');
  } catch (e) {
    return reasonOf(e);
  }
  if (!isImageText(text)) return NOT_AN_IMAGE;
  return null;
}

function isImageText(text: string): boolean {
  if (text.trim() === '') return true; // an empty file holds nothing to lose
  try {
    const raw = JSON.parse(text) as { format?: unknown } | null;
    return typeof raw === 'object' && raw !== null && raw.format === IMAGE_FORMAT;
  } catch {
    return false;
  }
}

/**
 * Write `data` to `path` in full or not at all: a regular file goes through a temporary file in the same folder
 * and a rename; a device or a pipe is written to directly. Throws OutputError.
 */
export function writeFileWhole(path: string, data: string | Uint8Array): void {
  if (path === '') throw new OutputError('no file name given');
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const existing = statOrNull(path);
  if (existing?.isDirectory()) throw new OutputError('it is a directory');
  if (existing && !existing.isFile()) {
    writeTo(path, 'w', bytes);
    return;
  }
  const real = existing ? realpathSync(path) : path;
  const temp = join(dirname(real), `.${basename(real)}.${process.pid}.tmp`);
  try {
    writeTo(temp, 'wx', bytes);
    renameSync(temp, real);
  } catch (e) {
    try {
      unlinkSync(temp);
    } catch {
      // never created, or already gone
    }
    throw e instanceof OutputError ? e : new OutputError(reasonOf(e));
  }
}

function writeTo(path: string, flags: string, bytes: Uint8Array): void {
  let fd: number;
  try {
    fd = openSync(path, flags, 0o666);
  } catch (e) {
    throw new OutputError(reasonOf(e));
  }
  try {
    let done = 0;
    while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
  } catch (e) {
    throw new OutputError(reasonOf(e));
  } finally {
    closeSync(fd);
  }
}

function statOrNull(path: string): ReturnType<typeof statSync> | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

const REASONS: Record<string, string> = {
  ENOENT: 'the folder it would go in does not exist',
  ENOTDIR: 'a part of the path is not a folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  EISDIR: 'it is a directory',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exhausted',
  EFBIG: 'the file would be too large',
  ENAMETOOLONG: 'the file name is too long',
  EEXIST: 'a temporary file of the same name is in the way',
};

/** A system error in plain words. */
export function reasonOf(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err.code && REASONS[err.code]) return REASONS[err.code]!;
  return (err.message ?? String(e)).replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '');
}
