import { describe, expect, it } from 'vitest';
import { spoolerCheck, spoolerOutcome } from '../../../../src-main/diagnostics/windows/spooler.ts';
import { failing } from '../../printers/windows/fixture-runner.ts';
import { rejection, single } from './assertions.ts';
import { VERSIONS, windowsContext } from './context.ts';

describe.each(VERSIONS)('windows-spooler (%s)', (version) => {
  it('passes when the spooler runs and starts automatically', async () => {
    const { context, runner } = await windowsContext(version);
    const outcome = single(await spoolerCheck.run(context));
    expect(outcome).toMatchObject({
      status: 'pass',
      summary: 'The Print Spooler service is running and starts automatically.',
    });
    expect(outcome.fixes).toBeUndefined();
    expect(runner.calls).toEqual([{ script: 'spooler-status', args: {} }]);
  });

  it('fails when the spooler is stopped, with the fix that starts it', async () => {
    const { context } = await windowsContext(version, {
      'spooler-status': 'spooler-status-stopped-automatic.json',
    });
    const outcome = single(await spoolerCheck.run(context));
    expect(outcome.status).toBe('fail');
    expect(outcome.summary).toMatch(/stopped .*nothing can print/);
    expect(outcome.fixes?.map((fix) => fix.command)).toEqual(['Start-Service Spooler']);
    expect(outcome.fixes?.[0]?.steps.join(' ')).toMatch(/services\.msc/);
    expect(outcome.evidence).toEqual([
      { label: 'Service status', value: 'stopped' },
      { label: 'Start type', value: 'automatic' },
    ]);
  });

  it('fails when the spooler is stopped and disabled: enable, then start', async () => {
    const { context } = await windowsContext(version, {
      'spooler-status': 'spooler-status-stopped.json',
    });
    const outcome = single(await spoolerCheck.run(context));
    expect(outcome.status).toBe('fail');
    expect(outcome.details).toMatch(/disabled/);
    expect(outcome.fixes?.map((fix) => fix.command)).toEqual([
      'Set-Service Spooler -StartupType Automatic; Start-Service Spooler',
    ]);
    expect(outcome.fixes?.[0]?.steps[0]).toMatch(/Ask IT first/);
  });

  it('warns when the spooler runs but starts manually', async () => {
    const { context } = await windowsContext(version, {
      'spooler-status': 'spooler-status-manual.json',
    });
    const outcome = single(await spoolerCheck.run(context));
    expect(outcome.status).toBe('warn');
    expect(outcome.summary).toMatch(/running but is set to start manually/);
    expect(outcome.fixes?.map((fix) => fix.command)).toEqual([
      'Set-Service Spooler -StartupType Automatic',
    ]);
  });

  it('lets a script failure reach the runner as a PrintoError', async () => {
    const blocked = await windowsContext(version, {
      'spooler-status': { stderr: 'garbage/execution-policy.stderr.txt', exitCode: 1 },
    });
    const error = await rejection(spoolerCheck.run(blocked.context));
    expect(error.code).toBe('print-service-error');
    expect(error.hint).toMatch(/execution policy/);

    const garbled = await windowsContext(version, {
      'spooler-status': failing('garbage/truncated.json'),
    });
    expect((await rejection(spoolerCheck.run(garbled.context))).code).toBe(
      'print-service-bad-response',
    );
  });
});

describe('spoolerOutcome', () => {
  it('reads the transitional and unusual states of the service', () => {
    expect(spoolerOutcome('start-pending', 'automatic').status).toBe('warn');
    expect(spoolerOutcome('stop-pending', 'automatic')).toMatchObject({
      status: 'fail',
      fixes: [{ command: 'Restart-Service Spooler -Force' }],
    });
    expect(spoolerOutcome('paused', 'automatic').summary).toMatch(/unusual state \(paused\)/);
  });

  it('warns about a running spooler that will not start after a restart', () => {
    const outcome = spoolerOutcome('running', 'disabled');
    expect(outcome.status).toBe('warn');
    expect(outcome.summary).toMatch(/is disabled/);
    expect(outcome.details).toMatch(/stays stopped/);
  });
});

describe('windows-spooler without a Windows source', () => {
  it('skips, saying why', async () => {
    const { context } = await windowsContext('ps7');
    const { os, system, now } = context.env;
    const outcome = single(await spoolerCheck.run({ ...context, env: { os, system, now } }));
    expect(outcome.status).toBe('skip');
  });
});
