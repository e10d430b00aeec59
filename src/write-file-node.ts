// Writing files so that no data is lost (Node only): a file is replaced whole or not at all, directories are made
// one level at a time, and a target that cannot be written is found before any work is done.
//
// Atomic replace: the bytes go to a temporary file in the target's own directory (a rename is atomic only within one
// file system), which is flushed to disk (fsync) and then renamed over the target. A failure at any point (disk full,
// a file-size limit, a crash) leaves the previous file as it was; the temporary file is removed.
//
// Symbolic links: a target that is a link is written through it (the link's final target is replaced, the link stays),
// as a plain `writeFile` would; renaming over the link itself would silently turn it into a file.
//
// Directories: `mkdir(dir, { recursive: true })` loops forever at 100% CPU where mkdir fails with ENOENT although the
// parent exists (procfs, sysfs: `mkdir /proc/x`). So directories are made here one level at a time, each mkdir tried
// once, and that case is an error that says what happened.
import { randomBytes } from 'node:crypto';
import { mkdirSync, statSync } from 'node:fs';
import { lstat, open, readlink, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

/** A target that cannot be written, with the reason; `where` (the caller's name) starts the message. */
export class WriteError extends Error {
  override name = 'WriteError';
}

const reason = (e: unknown) => (e instanceof Error ? e.message : String(e));
const code = (e: unknown) => (e as NodeJS.ErrnoException | null)?.code;

async function statOrNull(path: string) {
  try {
    return await stat(path);
  } catch (e) {
    // ENOTDIR: a part of the path is a file; the walk up to it reports that.
    if (code(e) === 'ENOENT' || code(e) === 'ENOTDIR') return null;
    throw e;
  }
}

function statOrNullSync(path: string) {
  try {
    return statSync(path);
  } catch (e) {
    if (code(e) === 'ENOENT' || code(e) === 'ENOTDIR') return null;
    throw e;
  }
}

/**
 * Makes `dir` and any missing parents, one mkdir per level (never the recursive form: see the file's comment).
 * Throws a WriteError naming `where` and the directory when one cannot be made or a path part is not a directory.
 * Synchronous (a few system calls) so that synchronous writers (the MNIST cache) use it too.
 */
export function makeDirectory(where: string, dir: string): void {
  const full = resolve(dir);
  const missing: string[] = [];
  let at = full;
  for (;;) {
    let s;
    try {
      s = statOrNullSync(at);
    } catch (e) {
      throw new WriteError(`${where}: cannot look at ${at} (${reason(e)})`);
    }
    if (s !== null) {
      if (!s.isDirectory()) throw new WriteError(`${where}: cannot make the directory ${full}: ${at} is a file, not a directory`);
      break;
    }
    missing.push(at);
    const parent = dirname(at);
    if (parent === at) break; // a root that does not exist: mkdir below reports it
    at = parent;
  }
  for (let i = missing.length - 1; i >= 0; i--) {
    try {
      mkdirSync(missing[i]);
    } catch (e) {
      if (code(e) === 'EEXIST' && statOrNullSync(missing[i])?.isDirectory()) continue; // made meanwhile
      const why = code(e) === 'ENOENT'
        ? `its parent ${dirname(missing[i])} exists but refuses new entries (a virtual file system such as /proc?)`
        : reason(e);
      throw new WriteError(`${where}: cannot make the directory ${missing[i]}: ${why}`);
    }
  }
}

/** The file a write to `path` lands in: `path` itself, or the final target of the link chain it starts. */
async function followLinks(where: string, path: string): Promise<string> {
  let at = resolve(path);
  for (let hops = 0; hops < 40; hops++) {
    let s;
    try {
      s = await lstat(at);
    } catch (e) {
      if (code(e) === 'ENOENT' || code(e) === 'ENOTDIR') return at;
      throw new WriteError(`${where}: cannot write ${path}: cannot look at ${at} (${reason(e)})`);
    }
    if (!s.isSymbolicLink()) return at;
    at = resolve(dirname(at), await readlink(at));
  }
  throw new WriteError(`${where}: cannot write ${path}: too many levels of symbolic links`);
}

/** A fresh name beside `path`, hidden, that no other writer picks. */
function temporaryName(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Writes `data` to a new temporary file beside `target`, flushed to disk; returns its path. Removes it on failure. */
async function writeTemporary(where: string, target: string, data: string | Uint8Array): Promise<string> {
  const temp = temporaryName(target);
  let created = false;
  try {
    const handle = await open(temp, 'wx');
    created = true;
    try {
      // A replaced file keeps its permissions (a model saved 0600 stays private).
      const old = await statOrNull(target);
      if (old !== null) await handle.chmod(old.mode & 0o7777);
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return temp;
  } catch (e) {
    if (created) await rm(temp, { force: true }).catch(() => {});
    throw new WriteError(`${where}: cannot write ${target} (${reason(e)}); ${created ? 'the previous file, if any, is untouched' : 'nothing was written'}`);
  }
}

/** fsync of the directory, so that the rename itself survives a power cut. Not every platform allows it. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Windows cannot open a directory, some file systems refuse fsync on one: the rename is still atomic.
  }
}

/**
 * Replaces several files in one directory: every file is written to a temporary file first, and only when all are
 * written and flushed are they renamed over their targets, in the order given (put the file that names the others
 * last). On failure the temporary files are removed and no target has changed (unless a rename itself fails, which
 * leaves the files before it replaced). Missing directories are made first.
 */
export async function writeFilesAtomic(where: string, files: readonly { path: string; data: string | Uint8Array }[]): Promise<void> {
  const written: { temp: string; path: string }[] = [];
  const targets = [];
  for (const { path, data } of files) targets.push({ path: await followLinks(where, path), data });
  try {
    for (const { path } of targets) makeDirectory(where, dirname(path));
    for (const { path, data } of targets) written.push({ temp: await writeTemporary(where, path, data), path });
    for (let i = 0; i < written.length; i++) {
      try {
        await rename(written[i].temp, written[i].path);
      } catch (e) {
        throw new WriteError(`${where}: cannot replace ${written[i].path} (${reason(e)})`);
      }
      written[i].temp = '';
    }
  } finally {
    for (const { temp } of written) if (temp !== '') await rm(temp, { force: true }).catch(() => {});
  }
  for (const dir of new Set(targets.map((f) => dirname(f.path)))) await syncDirectory(dir);
}

/** Replaces `path` with `data` atomically (see writeFilesAtomic). */
export function writeFileAtomic(where: string, path: string, data: string | Uint8Array): Promise<void> {
  return writeFilesAtomic(where, [{ path, data }]);
}

/**
 * Checks, without changing anything, that `path` could be written now: it is not a directory, and a file can be
 * created in its directory (or, when that does not exist yet, in its nearest existing ancestor, where the missing
 * directories would be made). The test is a real one (a temporary file created and removed) because permission
 * bits say nothing for root or for read-only and virtual file systems. Throws a WriteError with the reason.
 */
export async function checkWritable(where: string, path: string): Promise<void> {
  const full = resolve(path);
  const target = await statOrNull(full).catch(() => null);
  if (target?.isDirectory()) throw new WriteError(`${where}: ${path} is a directory, not a file`);
  let dir = dirname(full);
  for (;;) {
    const s = await statOrNull(dir).catch((e: unknown) => {
      throw new WriteError(`${where}: cannot write ${path}: cannot look at ${dir} (${reason(e)})`);
    });
    if (s !== null) {
      if (!s.isDirectory()) throw new WriteError(`${where}: cannot write ${path}: ${dir} is a file, not a directory`);
      break;
    }
    if (dirname(dir) === dir) break;
    dir = dirname(dir);
  }
  const probe = temporaryName(join(dir, 'probe'));
  try {
    const handle = await open(probe, 'wx');
    await handle.close();
  } catch (e) {
    const why = code(e) === 'ENOENT'
      ? `${dir} exists but refuses new files (a virtual file system such as /proc?)`
      : `cannot create files in ${dir} (${reason(e)})`;
    throw new WriteError(`${where}: cannot write ${path}: ${why}`);
  }
  await rm(probe, { force: true });
}
