/**
 * An exclusive, crash-safe lock on an embedded PGlite data folder: one process at a time.
 *
 * PGlite keeps its whole database in the memory of the process that opened it and writes the folder back as it
 * goes; a second process on the same folder works on its own copy (so it answers from stale data, for instance a
 * withdrawn consent) and the two overwrite each other's files until the folder is corrupt. PGlite does not guard
 * against that itself, so `createDatabase` takes this lock before opening an on-disk folder.
 *
 * The lock is a file next to the folder (`<folder>.lock`, outside it so PGlite's initdb sees an empty folder),
 * created with O_EXCL and holding the owner's pid, the kernel's start time of that process and the host name.
 * A lock whose pid is gone, or is now another process (same pid, other start time), is taken over at once,
 * so a crashed process never leaves the database stuck. Chosen over `proper-lockfile`, whose staleness is an
 * mtime the holder must keep refreshing: a crashed holder blocks the folder until the timeout runs out, a
 * holder whose event loop stalls (a long migration or seed) loses its lock, and the error cannot name the
 * holder. This is the scheme PostgreSQL itself uses for its data directory (`postmaster.pid`).
 */
import { randomBytes } from 'node:crypto';
import { link, open, readFile, realpath, rename, unlink } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** What the lock file records about its holder. */
interface LockOwner {
  pid: number;
  /** The holder's start time as the kernel reports it (Linux: clock ticks since boot); null where unknown. */
  startTime: string | null;
  host: string;
}

/** Thrown when another live process holds the embedded database. */
export class EmbeddedDatabaseLockedError extends Error {
  override name = 'EmbeddedDatabaseLockedError';
  readonly code = 'EMBEDDED_DATABASE_LOCKED';

  constructor(
    readonly dataDir: string,
    readonly holderPid: number,
    readonly holderHost: string,
  ) {
    const where = holderHost === os.hostname() ? `process ${holderPid}` : `process ${holderPid} on host ${holderHost}`;
    super(
      `The embedded database in ${dataDir} is in use by ${where}: it serves one process only. ` +
        'Stop that process first, or set DATABASE_URL to a PostgreSQL server to run several processes.',
    );
  }
}

/** A held lock; `release` is idempotent. */
export interface EmbeddedDatabaseLock {
  readonly file: string;
  release(): Promise<void>;
}

/** The start time of a live process, or null where the platform does not say (only Linux's /proc is read). */
function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime); the command name (field 2) may hold spaces and parentheses, so count after its last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the recorded owner still runs: same host, live pid, and (where known) the same process. */
function ownerIsRunning(owner: LockOwner): boolean {
  // A lock from another host cannot be checked from here: treat it as held.
  if (owner.host !== os.hostname()) return true;
  if (!isAlive(owner.pid)) return false;
  const startTime = processStartTime(owner.pid);
  return owner.startTime === null || startTime === null || startTime === owner.startTime;
}

function parseOwner(text: string): LockOwner | null {
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    if (!Number.isSafeInteger(value.pid) || (value.pid as number) <= 0 || typeof value.host !== 'string') return null;
    return { pid: value.pid as number, startTime: typeof value.startTime === 'string' ? value.startTime : null, host: value.host };
  } catch {
    return null;
  }
}

async function readOrNull(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * Moves a stale lock aside, making sure it is the one that was judged stale: when another process took the
 * lock over in between, its fresh lock is put back and the caller starts again.
 */
async function removeStale(file: string, staleText: string): Promise<void> {
  const aside = `${file}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await rename(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const moved = await readOrNull(aside);
  if (moved !== staleText) await link(aside, file).catch(() => {});
  await unlink(aside).catch(() => {});
}

/** The folder as the user would write it: relative when under the working directory. */
function displayPath(folder: string): string {
  const relative = path.relative(process.cwd(), folder);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : folder;
}

/**
 * Takes the lock on an embedded data folder, or throws EmbeddedDatabaseLockedError naming the live holder.
 * @example const lock = await lockEmbeddedDatabase('.data/pglite'); try { … } finally { await lock.release(); }
 */
export async function lockEmbeddedDatabase(dataDir: string): Promise<EmbeddedDatabaseLock> {
  // The real path, so two spellings of one folder (a symlink, a relative path) meet at the same lock.
  const folder = await realpath(dataDir);
  const file = `${folder}.lock`;
  const me: LockOwner = { pid: process.pid, startTime: processStartTime(process.pid), host: os.hostname() };
  const text = JSON.stringify(me);
  for (let attempt = 0; attempt < 10; attempt++) {
    try {
      const handle = await open(file, 'wx', 0o644);
      try {
        await handle.writeFile(text);
      } finally {
        await handle.close();
      }
      let released = false;
      return {
        file,
        release: async () => {
          if (released) return;
          released = true;
          // Remove the file only while it is still ours.
          if ((await readOrNull(file)) === text) await unlink(file).catch(() => {});
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const existing = await readOrNull(file);
    if (existing === null) continue;
    const owner = parseOwner(existing);
    // A lock file being written right now is empty for an instant; give its writer that instant.
    if (owner === null && attempt < 3) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      continue;
    }
    if (owner !== null && ownerIsRunning(owner)) throw new EmbeddedDatabaseLockedError(displayPath(folder), owner.pid, owner.host);
    await removeStale(file, existing);
  }
  throw new Error(`Could not take the lock ${file}: it keeps changing. Is another process starting on the same embedded database?`);
}
