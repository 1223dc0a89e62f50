/**
 * The unprivileged account that test servers run as when the tests run as root (here and in CI):
 * PostgreSQL's initdb and postgres refuse to run as root. As an ordinary user the servers simply
 * run as that user.
 */
import { runTool } from './proc.ts';
import type { UnixUser } from './proc.ts';

/** The system account created for test servers; PRINTO_TEST_USER names another. */
export const TEST_USER = process.env['PRINTO_TEST_USER'] ?? 'printo-test';

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

async function lookup(name: string): Promise<UnixUser | undefined> {
  const { stdout, code } = await runTool('getent', ['passwd', name], {
    env: process.env,
    timeoutMs: 10_000,
  });
  if (code !== 0) return undefined;
  // name:password:uid:gid:gecos:home:shell
  const [, , uid, gid] = stdout.trim().split(':');
  return { name, uid: Number(uid), gid: Number(gid) };
}

let pending: Promise<UnixUser> | undefined;

/**
 * As root: TEST_USER, created first (`useradd --system`, no home, no login shell) when it does
 * not exist yet. Not root: undefined (run as ourselves). Several test processes may race to
 * create it; whoever loses finds it made.
 */
export function unprivilegedUser(): Promise<UnixUser | undefined> {
  if (!isRoot()) return Promise.resolve(undefined);
  pending ??= (async () => {
    for (let attempt = 0; ; attempt++) {
      const found = await lookup(TEST_USER);
      if (found !== undefined) {
        if (found.uid === 0) throw new Error(`${TEST_USER} must not be root (uid 0).`);
        return found;
      }
      const made = await runTool(
        'useradd',
        [
          '--system',
          '--user-group',
          '--no-create-home',
          '--home-dir',
          '/nonexistent',
          '--shell',
          '/usr/sbin/nologin',
          '--comment',
          'Printo Help test servers',
          TEST_USER,
        ],
        { env: process.env, timeoutMs: 30_000 },
      ).catch((error: unknown) => ({
        code: -1,
        stdout: '',
        stderr: error instanceof Error ? error.message : String(error),
      }));
      if (made.code === 0) continue;
      // 9: the name exists (another process made it); 10: /etc/passwd was locked meanwhile.
      if (attempt < 5) {
        await new Promise((resolve) => setTimeout(resolve, 100 * (attempt + 1)));
        continue;
      }
      throw new Error(
        `Could not create the system user ${TEST_USER} that test servers run as ` +
          `(useradd, Debian package passwd): ${made.stderr.trim()}`,
      );
    }
  })();
  pending.catch(() => {
    pending = undefined; // Let a later bed try again.
  });
  return pending;
}
