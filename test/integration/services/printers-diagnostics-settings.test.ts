/**
 * ClientServices' printers, diagnostics, settings and app parts on real parts: a private cupsd
 * with an ippeveprinter device behind the CUPS adapter (its IPP event subscription checked with
 * ipptool, not with the client under test), the diagnostics' own checks, policy from a policy file
 * and the user's settings file, and the report kept in a real SQLite file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METHOD_NAMES } from '../../../src-shared/api/contract.ts';
import type { DiagnosticsProgress } from '../../../src-shared/api/contract.ts';
import type { Check } from '../../../src-main/diagnostics/check.ts';
import { commonChecks } from '../../../src-main/diagnostics/checks/index.ts';
import { CupsPrinterSystem } from '../../../src-main/printers/cups/cups-printer-system.ts';
import { parseCupsServerName } from '../../../src-main/printers/cups/server.ts';
import type { PrinterWatch } from '../../../src-main/printers/printer-system.ts';
import { MemorySecretStore } from '../../../src-main/secrets/memory-store.ts';
import type { ClientServicesHost } from '../../../src-main/services/index.ts';
import { startTestbed } from '../../testbed/testbed.ts';
import { subscriptionExists as subscriptionExistsOn } from '../../testbed/subscriptions.ts';
import type { Testbed } from '../../testbed/testbed.ts';
import { Recorder, policyFiles, rejection, removeTempDirs, services, until } from './harness.ts';

let cups: Testbed;
/** The CUPS adapter, with the watches it hands out in view. */
class ObservedCups extends CupsPrinterSystem {
  readonly watches: PrinterWatch[] = [];
  override async watch(...args: Parameters<CupsPrinterSystem['watch']>): Promise<PrinterWatch> {
    const watch = await super.watch(...args);
    this.watches.push(watch);
    return watch;
  }
}
let system: ObservedCups;
const open = new Set<ClientServicesHost>();

/** Blocks a run (when `blocked`) until it is aborted: the run is surely going when cancelled. */
const gate = { blocked: false };
const gateCheck: Check = {
  id: 'test-gate',
  title: 'A check that waits',
  description: 'Waits for its signal while the test wants a run in progress.',
  os: ['linux', 'darwin', 'win32'],
  scope: 'system',
  network: false,
  run: (context) =>
    gate.blocked
      ? new Promise((resolve) => {
          context.signal.addEventListener('abort', () => {
            resolve([{ status: 'error', summary: 'Aborted.' }]);
          });
        })
      : Promise.resolve([{ status: 'pass', summary: 'Nothing to wait for.' }]),
};

beforeAll(async () => {
  cups = await startTestbed({ name: 'services-printers' });
  const device = await cups.addDevice({ name: 'desk-dev', make: 'Acme', model: 'Desk 1' });
  await cups.addQueues([
    { name: 'Desk', device, isDefault: true, description: 'Desk printer' },
    { name: 'Hall', device },
  ]);
  system = new ObservedCups({
    server: { endpoint: parseCupsServerName(cups.cupsSocket, 'test'), source: 'test' },
    deviceQuery: false,
  });
});

afterAll(async () => {
  for (const host of open) await host.close();
  system.close();
  await cups.stop();
  removeTempDirs();
});

async function start(
  values: Record<string, unknown> = {},
): Promise<{ host: ClientServicesHost; files: ReturnType<typeof policyFiles> }> {
  const files = policyFiles(values);
  const { host } = await services({
    files,
    system,
    secrets: new MemorySecretStore(),
    checks: [...commonChecks, gateCheck],
    diagnostics: { networkTimeoutMs: 600 },
  });
  open.add(host);
  return { host, files };
}

async function close(host: ClientServicesHost): Promise<void> {
  await host.close();
  open.delete(host);
}

/** Whether CUPS still holds subscription `id` (ipptool Get-Subscription-Attributes). */
const subscriptionExists = (id: number): Promise<boolean> => subscriptionExistsOn(cups, id);

function subscriptionOf(watch: PrinterWatch | undefined): number {
  if (watch === undefined || !('subscriptionId' in watch)) {
    throw new Error('the CUPS watch has no subscription');
  }
  return (watch as PrinterWatch & { subscriptionId: number }).subscriptionId;
}

// ---------------------------------------------------------------------------------------------

describe('printers and jobs', () => {
  it('implements every method of the contract, and says what it is', async () => {
    const { host } = await start();
    expect(Object.keys(host.methods).sort()).toEqual([...METHOD_NAMES].sort());
    expect(await host.call('app.info', {})).toMatchObject({
      name: 'Printo Help',
      platform: process.platform,
      shell: 'terminal',
      printSystem: { kind: 'cups', endpoint: system.endpoint },
    });
    await close(host);
  });

  it('lists, pauses, resumes, prints a test page and cancels it on CUPS', async () => {
    const { host } = await start();
    const printers = await host.call('printers.list', {});
    expect(printers.map((p) => p.name).sort()).toEqual(['Desk', 'Hall']);

    expect(await host.call('printers.queueAction', { printer: 'Hall', action: 'pause' })).toEqual({
      message: 'Hall is paused.',
    });
    expect((await cups.queue('Hall')).state).toBe('stopped');
    const page = await host.call('printers.testPage', { printer: 'Hall' });
    expect(page.message).toContain(`job ${String(page.jobId)}`);
    expect((await cups.job(page.jobId)).state).toBe('pending');
    const jobs = await host.call('printers.jobs', { printer: 'Hall' });
    expect(jobs.map((j) => j.id)).toContain(page.jobId);
    await host.call('printers.jobAction', { printer: 'Hall', jobId: page.jobId, action: 'cancel' });
    expect((await cups.job(page.jobId)).state).toBe('canceled');
    await host.call('printers.queueAction', { printer: 'Hall', action: 'resume' });
    expect((await cups.queue('Hall')).state).not.toBe('stopped');

    const missing = await rejection(
      host.call('printers.queueAction', { printer: 'Nowhere', action: 'pause' }),
    );
    expect(missing.code).toBe('printer-not-found');
    await close(host);
  });

  it('watches CUPS only while someone listens to printers.changed, and delivers its changes', async () => {
    const { host } = await start();
    const before = system.watches.length;
    const first = new Recorder(host, 'printers.changed');
    await until(() => system.watches.length === before + 1, 'the watch to start');
    const subscription = subscriptionOf(system.watches.at(-1));
    expect(await subscriptionExists(subscription)).toBe(true);

    await cups.run('cupsdisable', ['Desk']);
    await first.next((c) => c.kind === 'printer-changed' && c.printer === 'Desk', 'Desk paused');
    const jobId = await cups.lp('Desk', { title: 'minutes.pdf' });
    expect(
      await first.next((c) => c.kind === 'job-created' && c.jobId === jobId, 'the new job'),
    ).toMatchObject({ printer: 'Desk' });

    // A second listener shares the watch; the watch stops with the last one.
    const second = new Recorder(host, 'printers.changed');
    first.stop();
    await cups.run('cupsenable', ['Desk']);
    await second.next((c) => c.kind === 'printer-changed' && c.printer === 'Desk', 'Desk resumed');
    expect(system.watches.length).toBe(before + 1);
    second.stop();
    await until(async () => !(await subscriptionExists(subscription)), 'the subscription to end');

    // Listening again starts a new watch; close() stops it too.
    const third = new Recorder(host, 'printers.changed');
    await until(() => system.watches.length === before + 2, 'the second watch');
    const again = subscriptionOf(system.watches.at(-1));
    expect(again).not.toBe(subscription);
    await cups.run('cupsdisable', ['Desk']);
    await third.next((c) => c.kind === 'printer-changed' && c.printer === 'Desk', 'Desk paused');
    await cups.run('cupsenable', ['Desk']);
    await close(host);
    expect(await subscriptionExists(again)).toBe(false);
    await cups.run('cancel', ['-a', 'Desk']);
  });
});

// ---------------------------------------------------------------------------------------------

describe('diagnostics', () => {
  it('runs with progress events, keeps the report, and gives it back', async () => {
    const { host, files } = await start();
    const progress = new Recorder(host, 'diagnostics.progress');
    const run = await host.call('diagnostics.run', { runId: 'run-1', printers: ['Desk'] });
    const events: DiagnosticsProgress[] = progress.seen;
    expect(events.every((e) => e.runId === 'run-1')).toBe(true);
    const [started] = events;
    if (started?.type !== 'started') throw new Error(`first event: ${JSON.stringify(started)}`);
    const finished = events.filter((e) => e.type === 'check-finished');
    expect(events.filter((e) => e.type === 'check-started')).toHaveLength(started.total);
    expect(finished.length).toBeGreaterThanOrEqual(started.total);
    expect(finished.at(-1)).toMatchObject({ done: run.report.results.length });
    expect(run.report.printers.map((p) => p.name)).toEqual(['Desk']);
    expect(run.report.results.map((r) => r.checkId)).toContain('test-gate');
    expect(new Set(finished.map((e) => e.checkId))).toEqual(
      new Set(run.report.results.map((r) => r.checkId)),
    );

    // Kept in the user's copy, in its own retention category.
    expect(run.reportId).not.toBeNull();
    expect(existsSync(files.transcriptsPath)).toBe(true);
    const reports = await host.call('diagnostics.reports', {});
    expect(reports.map((r) => r.reportId)).toEqual([run.reportId]);
    const kept = await host.call('diagnostics.report', { reportId: run.reportId ?? '' });
    expect(kept.report).toEqual(run.report);
    await close(host);
  });

  it('cancels a run in progress: diagnostics-cancelled, and nothing kept', async () => {
    const { host } = await start();
    const progress = new Recorder(host, 'diagnostics.progress');
    gate.blocked = true;
    try {
      const running = host.call('diagnostics.run', { runId: 'run-2' });
      await progress.next(
        (e) => e.type === 'check-started' && e.checkId === 'test-gate',
        'the gate check to start',
      );
      // The run id is taken while it runs.
      expect((await rejection(host.call('diagnostics.run', { runId: 'run-2' }))).code).toBe(
        'diagnostics-run-exists',
      );
      expect(await host.call('diagnostics.cancel', { runId: 'run-2' })).toEqual({ ok: true });
      const cancelled = await rejection(running);
      expect(cancelled.code).toBe('diagnostics-cancelled');
    } finally {
      gate.blocked = false;
    }
    expect(await host.call('diagnostics.reports', {})).toEqual([]);
    // The id is free again, and an unknown run cancels as a no-op.
    expect(await host.call('diagnostics.cancel', { runId: 'no-such-run' })).toEqual({ ok: true });
    const again = await host.call('diagnostics.run', { runId: 'run-2', printers: ['Hall'] });
    expect(again.report.printers.map((p) => p.name)).toEqual(['Hall']);
    await close(host);
  });
});

// ---------------------------------------------------------------------------------------------

describe('settings', () => {
  it('sets and clears a user setting with settings.changed, and refuses what policy locks', async () => {
    const { host, files } = await start({ consentTimeoutSeconds: 120 });
    const changed = new Recorder(host, 'settings.changed');
    const entry = (report: { entries: { key: string }[] }, key: string) =>
      report.entries.find((e) => e.key === key);

    const initial = await host.call('settings.get', {});
    expect(entry(initial, 'consentTimeoutSeconds')).toMatchObject({
      value: 120,
      source: 'policy-file',
      locked: true,
    });
    const locked = await rejection(
      host.call('settings.set', { key: 'consentTimeoutSeconds', value: 200 }),
    );
    expect(locked.code).toBe('setting-locked');
    expect(locked.message).toContain('policy-file');
    expect(existsSync(files.userSettingsPath)).toBe(false);

    const set = await host.call('settings.set', { key: 'proxy', value: 'none' });
    expect(entry(set, 'proxy')).toMatchObject({ value: 'none', source: 'user', locked: false });
    expect(await changed.next(() => true, 'after set')).toEqual(set);
    expect(JSON.parse(readFileSync(files.userSettingsPath, 'utf8'))).toMatchObject({
      proxy: 'none',
    });
    expect(await host.call('settings.get', {})).toEqual(set);

    expect(
      (await rejection(host.call('settings.set', { key: 'proxy', value: 'ftp://x' }))).code,
    ).toBe('setting-invalid');
    expect(
      (await rejection(host.call('settings.set', { key: 'supportEnabled', value: false }))).code,
    ).toBe('setting-admin-only');
    expect(
      (await rejection(host.call('settings.set', { key: 'noSuchKey' as 'proxy', value: 1 }))).code,
    ).toBe('service-invalid-arguments');

    const cleared = await host.call('settings.clear', { key: 'proxy' });
    expect(entry(cleared, 'proxy')).toMatchObject({ value: 'system', source: 'default' });
    expect(await changed.next(() => true, 'after clear')).toEqual(cleared);
    // Refusals said nothing.
    expect(changed.seen).toHaveLength(2);

    // IT locks the proxy while the app runs: the lock holds at once.
    files.write({ consentTimeoutSeconds: 120, proxy: 'http://proxy.example.com:3128' });
    expect((await rejection(host.call('settings.set', { key: 'proxy', value: 'none' }))).code).toBe(
      'setting-locked',
    );
    await close(host);
  });
});

// ---------------------------------------------------------------------------------------------

describe('the user’s copy before anything was kept', () => {
  it('lists nothing, exports an empty file, and says what is not there', async () => {
    const { host, files } = await start();
    expect(await host.call('transcripts.list', {})).toEqual([]);
    expect(await host.call('transcripts.export', {})).toMatchObject({
      format: 'printo-help-export/v1',
      sessions: [],
      diagnosticReports: [],
    });
    expect(await host.call('transcripts.erase', { all: true })).toEqual({
      sessions: 0,
      reports: 0,
    });
    expect((await rejection(host.call('transcripts.view', { sessionId: 's-1' }))).code).toBe(
      'transcripts-not-found',
    );
    expect((await rejection(host.call('relayCopy.list', {}))).code).toBe('not-enrolled');
    // Asking created nothing on disk.
    expect(existsSync(files.transcriptsPath)).toBe(false);
    await close(host);
  });
});
