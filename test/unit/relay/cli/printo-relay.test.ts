/**
 * What a new user meets first with `printo-relay`: the version, and the data directory that the
 * commands other than `serve` expect to find.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultOpenStore } from '../../../../src-relay/cli/printo-relay.ts';
import { verifyPassword } from '../../../../src-relay/server/passwords.ts';
import { NOW, PASSWORD, inDir, runCli, serveInProcess, tempDir } from './cli-harness.ts';
import { ManualClock } from '../../manual-clock.ts';

describe('printo-relay basics', () => {
  it('prints its version', async () => {
    const pkg = JSON.parse(
      readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8'),
    ) as { version: string };
    for (const flag of ['--version', '-V']) {
      const run = await runCli([flag]);
      expect(run.code).toBe(0);
      expect(run.stdout.trim()).toBe(pkg.version);
    }
  });

  it('commands other than serve refuse a data directory that does not exist, and create nothing', async () => {
    const cwd = tempDir();
    for (const argv of [
      ['orgs', 'list'],
      ['agents', 'list', '--json'],
      ['sessions', 'list'],
      ['purge'],
      ['orgs', 'add', 'Acme'],
    ]) {
      const run = await runCli(argv, { cwd });
      expect(run.code, argv.join(' ')).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(
        `There is no relay data directory at ${join(cwd, 'printo-relay-data')}`,
      );
      expect(run.stderr).toContain('--data-dir');
      expect(run.stderr).toContain('data-dir-missing');
    }
    expect(existsSync(join(cwd, 'printo-relay-data'))).toBe(false);

    const elsewhere = join(tempDir(), 'typo');
    const json = await runCli(['--data-dir', elsewhere, '--json', 'orgs', 'list']);
    expect(JSON.parse(json.stderr)).toMatchObject({ error: { code: 'data-dir-missing' } });
    expect(existsSync(elsewhere)).toBe(false);

    const file = join(tempDir(), 'file');
    writeFileSync(file, '');
    const notDir = await runCli(['--data-dir', file, 'orgs', 'list']);
    expect(notDir.code).toBe(1);
    expect(notDir.stderr).toContain('it is not a directory');
  });

  it('an existing data directory works as before', async () => {
    const dir = tempDir();
    const run = await runCli(['--data-dir', dir, 'orgs', 'list', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ orgs: [] });
  });
});

describe('repository', () => {
  it('ignores the default data directory, which holds the master key', () => {
    const ignore = readFileSync(new URL('../../../../.gitignore', import.meta.url), 'utf8');
    expect(ignore.split('\n')).toContain('printo-relay-data/');
  });
});

describe('config.json', () => {
  it('a misspelt key is refused, named, with the key that was meant; nothing runs', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({ retenton: { chatTranscriptDays: 7 } }),
    );
    const top = await runCli(['--data-dir', dir, 'purge']);
    expect(top.code).toBe(1);
    expect(top.stdout).toBe('');
    expect(top.stderr).toContain(join(dir, 'config.json'));
    expect(top.stderr).toContain('"retenton" is not a known key: did you mean "retention"?');
    expect(top.stderr).toContain('(config-invalid)');

    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({ retention: { chatTranscriptDay: 7, consentReceiptdays: 30 } }),
    );
    const inner = await serveInProcess(dir);
    expect(inner.up).toBe(false);
    const failed = await inner.done;
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(
      'retention."chatTranscriptDay" is not a known key: did you mean "chatTranscriptDays"?',
    );
    expect(failed.stderr).toContain('did you mean "consentReceiptDays"?');
    expect(failed.stderr).toContain('(retention-invalid)');
    expect(failed.stdout).not.toContain('listening');

    writeFileSync(join(dir, 'config.json'), JSON.stringify({ whatever: 1 }));
    const far = await runCli(['--data-dir', dir, 'purge']);
    expect(far.stderr).toContain('"whatever" is not a known key (known: retention)');
  });

  it('serve logs the retention in force: each period and where it came from', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({ retention: { chatTranscriptDays: 30 } }),
    );
    const relay = await serveInProcess(dir);
    expect(relay.up).toBe(true);
    expect((await relay.stop()).code).toBe(0);
    expect(relay.logs().find((l) => l['event'] === 'retention.in-force')).toEqual({
      time: NOW,
      level: 'info',
      event: 'retention.in-force',
      chatTranscriptDays: 30,
      chatTranscriptFrom: 'config.json',
      consentReceiptDays: 730,
      consentReceiptFrom: 'default',
      sessionMetadataDays: 730,
      sessionMetadataFrom: 'default',
      configFile: join(dir, 'config.json'),
    });
  });
});

describe('first start', () => {
  it('shows the credentials only once the address is bound: a failed bind leaves them for the next start', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const address = taken.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const dir = join(tempDir(), 'data');
    try {
      const refused = await serveInProcess(dir, ['--port', String(port)]);
      expect(refused.up).toBe(false);
      const failed = await refused.done;
      expect(failed.code).toBe(1);
      expect(failed.stderr).toContain(`Cannot listen on 127.0.0.1:${String(port)} (EADDRINUSE)`);
      expect(failed.stdout).not.toContain('First start');
      expect(failed.stdout).not.toContain('password');
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
    const relay = await serveInProcess(dir);
    expect(relay.up).toBe(true);
    expect(relay.stdout()).toContain('First start');
    expect(relay.stdout()).toMatch(/Enrollment key:\s+pek_/);
    expect(relay.stdout()).toMatch(/Admin password:\s+\S+/);
    // Before the line that says it is up, so whoever waits for that line has them.
    expect(relay.stdout().indexOf('First start')).toBeLessThan(relay.stdout().indexOf('listening'));
    expect((await relay.stop()).code).toBe(0);
  });
});

describe('orgs', () => {
  it('orgs add refuses a name in use (any case) unless --allow-duplicate-name', async () => {
    const relay = inDir(tempDir());
    const first = await relay('orgs', 'add', 'Acme Ltd');
    expect(first.code).toBe(0);
    const again = await relay('orgs', 'add', 'acme ltd ');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('An organisation named "Acme Ltd" exists already');
    expect(again.stderr).toContain('--allow-duplicate-name');
    expect(again.stderr).toContain('(org-name-taken)');
    expect(again.stdout).not.toContain('pek_');
    expect(JSON.parse((await relay('orgs', 'list', '--json')).stdout)).toMatchObject({
      orgs: [{ name: 'Acme Ltd' }],
    });
    const forced = await relay('orgs', 'add', 'Acme Ltd', '--allow-duplicate-name');
    expect(forced.code).toBe(0);
    const { orgs } = JSON.parse((await relay('orgs', 'list', '--json')).stdout) as {
      orgs: { id: string; name: string }[];
    };
    expect(orgs.map((o) => o.name)).toEqual(['Acme Ltd', 'Acme Ltd']);
    // By name, two are one too many: the id says which.
    const ambiguous = await relay('orgs', 'key', 'Acme Ltd');
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toContain('(org-name-ambiguous)');
    expect(ambiguous.stdout).toBe('');
  });

  it('orgs key names the organisation it issued the key for', async () => {
    const relay = inDir(tempDir());
    await relay('orgs', 'add', 'Acme Ltd');
    await relay('orgs', 'add', 'Globex');
    const { orgs } = JSON.parse((await relay('orgs', 'list', '--json')).stdout) as {
      orgs: { id: string; name: string }[];
    };
    const globex = orgs.find((o) => o.name === 'Globex');
    const byName = await relay('orgs', 'key', 'Globex');
    expect(byName.code).toBe(0);
    expect(byName.stdout).toMatch(
      new RegExp(
        `^New enrollment key for organisation Globex \\(${globex?.id ?? ''}\\), shown only now: pek_`,
      ),
    );
    const asJson = JSON.parse((await relay('--json', 'orgs', 'key', globex?.id ?? '')).stdout) as {
      org: { id: string; name: string };
      orgId: string;
    };
    expect(asJson.org).toMatchObject({ id: globex?.id, name: 'Globex' });
    expect(asJson.orgId).toBe(globex?.id);
  });
});

describe('agents', () => {
  it('agents disable refuses the last active admin with a clear error and a stable code', async () => {
    const dir = tempDir();
    const relay = inDir(dir);
    const add = (email: string, role: string) =>
      runCli(
        [
          '--data-dir',
          dir,
          'agents',
          'add',
          email,
          '--name',
          email,
          '--role',
          role,
          '--password-stdin',
        ],
        { input: `${PASSWORD}\n` },
      );
    expect((await add('root@example.com', 'admin')).code).toBe(0);
    const refused = await relay('agents', 'disable', 'root@example.com');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('root@example.com is the last active administrator');
    expect(refused.stderr).toContain('(last-admin)');
    const json = await relay('--json', 'agents', 'disable', 'root@example.com');
    expect(JSON.parse(json.stderr)).toMatchObject({ error: { code: 'last-admin' } });
    expect((await add('second@example.com', 'admin')).code).toBe(0);
    expect((await relay('agents', 'disable', 'root@example.com')).code).toBe(0);
  });
});

describe('agents reset-password', () => {
  it('sets a new password read from stdin; the old one stops working', async () => {
    const dir = tempDir();
    const relay = inDir(dir);
    await runCli(
      ['--data-dir', dir, 'agents', 'add', 'sam@example.com', '--name', 'Sam', '--password-stdin'],
      { input: `${PASSWORD}\n` },
    );
    const next = 'a brand new passphrase';
    const reset = await runCli(
      ['--data-dir', dir, 'agents', 'reset-password', 'SAM@example.com', '--password-stdin'],
      { input: `${next}\n` },
    );
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain('New password set for sam@example.com');
    const store = defaultOpenStore({})(dir, new ManualClock(Date.parse(NOW)));
    try {
      const hash = store.findAgentCredentials('sam@example.com')?.passwordHash ?? '';
      expect(await verifyPassword(next, hash)).toBe(true);
      expect(await verifyPassword(PASSWORD, hash)).toBe(false);
    } finally {
      store.close();
    }

    const short = await runCli(
      ['--data-dir', dir, 'agents', 'reset-password', 'sam@example.com', '--password-stdin'],
      { input: 'short\n' },
    );
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('at least 12 characters');
    const noTty = await relay('agents', 'reset-password', 'sam@example.com');
    expect(noTty.code).toBe(2);
    expect(noTty.stderr).toContain('--password-stdin');
    const unknown = await runCli(
      ['--data-dir', dir, 'agents', 'reset-password', 'pat@example.com', '--password-stdin'],
      { input: `${next}\n` },
    );
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No agent with email pat@example.com');
  });
});

describe('devices', () => {
  it('devices list [--org] shows name, organisation and status; devices revoke revokes one', async () => {
    const dir = tempDir();
    const store = defaultOpenStore({})(dir, new ManualClock(Date.parse(NOW)));
    const acme = store.createOrg('Acme', NOW);
    const globex = store.createOrg('Globex', NOW);
    const ws1 = store.createDevice({ orgId: acme.id, name: 'WS-1', secretHash: 'x' }, NOW);
    const gx = store.createDevice({ orgId: globex.id, name: 'GX-9', secretHash: 'y' }, NOW);
    store.close();
    const relay = inDir(dir);

    const all = await relay('devices', 'list');
    expect(all.code).toBe(0);
    const lines = all.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+NAME\s+ORGANISATION\s+ENROLLED\s+STATUS$/);
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/).slice(1, 3))).toEqual(
      expect.arrayContaining([
        ['WS-1', 'Acme'],
        ['GX-9', 'Globex'],
      ]),
    );
    const onlyGlobex = JSON.parse(
      (await relay('--json', 'devices', 'list', '--org', 'Globex')).stdout,
    ) as {
      devices: { id: string }[];
    };
    expect(onlyGlobex.devices.map((d) => d.id)).toEqual([gx.id]);
    expect(JSON.stringify(onlyGlobex)).not.toContain('secret');
    expect((await relay('devices', 'list', '--org', 'Initech')).stderr).toContain(
      'No organisation "Initech"',
    );

    const revoked = await relay('devices', 'revoke', ws1.id);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain(`Revoked device WS-1 (${ws1.id})`);
    const listed = JSON.parse(
      (await relay('--json', 'devices', 'list', '--org', acme.id)).stdout,
    ) as {
      devices: { id: string; revokedAt?: string }[];
    };
    expect(listed.devices).toEqual([expect.objectContaining({ id: ws1.id, revokedAt: NOW })]);
    expect((await relay('devices', 'list')).stdout).toContain(`revoked ${NOW}`);

    const missing = await relay('devices', 'revoke', 'no-such-device');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No device no-such-device');
    expect(missing.stderr).toContain('(device-not-found)');
  });
});

describe('sessions list', () => {
  it('names the organisation, the device and the agent of each session', async () => {
    const dir = tempDir();
    const store = defaultOpenStore({})(dir, new ManualClock(Date.parse(NOW)));
    const org = store.createOrg('Acme', NOW);
    const device = store.createDevice(
      { orgId: org.id, name: 'WS-ACCOUNTS-07', secretHash: 'x' },
      NOW,
    );
    const agent = store.createAgent(
      { email: 'sam@example.com', name: 'Sam Support', role: 'agent', passwordHash: 'h' },
      NOW,
    );
    const joined = randomUUID();
    const waiting = randomUUID();
    for (const id of [joined, waiting]) {
      store.createSession(
        { id, orgId: org.id, deviceId: device.id, description: 'Tray 2 jams' },
        NOW,
      );
    }
    store.updateSession(joined, { state: 'active', agentId: agent.id });
    store.close();
    const relay = inDir(dir);

    const text = await relay('sessions', 'list');
    expect(text.code).toBe(0);
    const [header, ...rows] = text.stdout.trim().split('\n');
    expect(header).toMatch(/^ID\s+STATE\s+ORGANISATION\s+DEVICE\s+AGENT\s+CREATED/);
    const row = (id: string) =>
      rows
        .find((r) => r.startsWith(id))
        ?.split(/\s{2,}/)
        .slice(1, 5);
    expect(row(joined)).toEqual(['active', 'Acme', 'WS-ACCOUNTS-07', 'Sam Support']);
    expect(row(waiting)?.slice(0, 3)).toEqual(['waiting', 'Acme', 'WS-ACCOUNTS-07']);

    const { sessions } = JSON.parse((await relay('--json', 'sessions', 'list')).stdout) as {
      sessions: Record<string, unknown>[];
    };
    expect(sessions.find((s) => s['id'] === joined)).toMatchObject({
      orgId: org.id,
      orgName: 'Acme',
      deviceName: 'WS-ACCOUNTS-07',
      agentId: agent.id,
      agentName: 'Sam Support',
    });
    expect(sessions.find((s) => s['id'] === waiting)).toMatchObject({ agentName: null });
    expect(JSON.stringify(sessions)).not.toContain('Tray 2');
  });
});
