/** The test bed's private directory: creating it, and sweeping those of crashed runs. */
import {
  chmodSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { isProcessAlive } from './proc.ts';

const DIR_PREFIX = 'printo-testbed-';
const OWNER_FILE = 'owner.pid';
/** sun_path is 108 bytes on Linux; leave room for `cups.sock` and `dbus.sock`. */
const MAX_DIR_LENGTH = 96;

function label(name: string | undefined): string {
  const clean = (name ?? 'bed')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .slice(0, 24);
  return clean || 'bed';
}

/**
 * As root, the bed's daemons run some work as another user (cupsd runs filters as `lp`; the
 * PostgreSQL bed runs its server as `printo-test`), who must be able to walk down to its files.
 */
function checkReachable(dir: string, user: string): void {
  for (let current = dir; ; current = dirname(current)) {
    const mode = statSync(current).mode;
    if ((mode & 0o001) === 0) {
      throw new Error(
        `As root, the test bed runs work as user ${user}, who cannot enter ${current} ` +
          `(mode ${(mode & 0o777).toString(8)}). Give the test bed a baseDir that everyone can ` +
          'traverse, e.g. TMPDIR=/tmp.',
      );
    }
    if (dirname(current) === current) return;
  }
}

/**
 * Removes directories left by test processes that were killed before they could clean up (their
 * daemons died with them: see proc.ts). Only directories whose owner.pid names a dead process are
 * touched, so the beds of concurrent runs and beds kept on purpose stay.
 */
function sweepStaleBeds(base: string): void {
  let entries: string[];
  try {
    entries = readdirSync(base).filter((entry) => entry.startsWith(DIR_PREFIX));
  } catch {
    return;
  }
  for (const entry of entries) {
    const dir = join(base, entry);
    try {
      const owner = Number(readFileSync(join(dir, OWNER_FILE), 'utf8'));
      if (!Number.isInteger(owner) || owner <= 0 || isProcessAlive(owner)) continue;
      if (statSync(dir).uid !== process.getuid?.()) continue;
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // No owner file (a bed being set up, or kept), or removed meanwhile.
    }
  }
}

/**
 * Creates `<base>/printo-testbed-<name>-XXXXXX`. Unless the bed is to be kept, it records this
 * process as its owner and first sweeps the leftovers of dead owners.
 */
export function createBedDir(options: {
  readonly baseDir: string;
  readonly name: string | undefined;
  readonly keep: boolean;
  readonly isRoot: boolean;
  /** As root: the unprivileged user who must reach the directory (default `lp`, for cupsd). */
  readonly runAs?: string;
}): string {
  const base = resolve(options.baseDir);
  if (!options.keep) sweepStaleBeds(base);
  const dir = mkdtempSync(join(base, `${DIR_PREFIX}${label(options.name)}-`));
  if (dir.length > MAX_DIR_LENGTH) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `The test bed's directory ${dir} is too long for the Unix sockets inside it: use a shorter baseDir.`,
    );
  }
  if (!options.keep) writeFileSync(join(dir, OWNER_FILE), String(process.pid));
  if (options.isRoot) {
    try {
      // mkdtemp makes it 0700; lp needs to get through to the spool and PPD files.
      chmodSync(dir, 0o755);
      checkReachable(dir, options.runAs ?? 'lp');
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }
  return dir;
}
