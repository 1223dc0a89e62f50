import type { Evidence, Fix } from '../../../src-shared/model/diagnostics.ts';
import type { CheckOutcome, SystemCheck } from '../check.ts';
import { windowsSource } from './common.ts';

const START: Fix = {
  title: 'Start the Print Spooler',
  steps: [
    'Press Windows+R, type services.msc and press Enter.',
    'Double-click "Print Spooler" and choose Start (this needs an administrator).',
    'If it stops again on its own, a printer driver is probably crashing it: tell IT, who will find "The Print Spooler service terminated unexpectedly" (events 7031 and 7034) in Event Viewer > Windows Logs > System.',
  ],
  command: 'Start-Service Spooler',
};

const AUTOMATIC: Fix = {
  title: 'Make the Print Spooler start with Windows',
  steps: [
    'Press Windows+R, type services.msc and press Enter.',
    'Double-click "Print Spooler", set "Startup type" to Automatic and choose OK (this needs an administrator).',
    'If IT turned the spooler off on purpose (some organisations do on computers that never print), ask them before changing it.',
  ],
  command: 'Set-Service Spooler -StartupType Automatic',
};

const ENABLE_AND_START: Fix = {
  title: 'Enable and start the Print Spooler',
  steps: [
    'Ask IT first: a disabled spooler is often a deliberate security setting, and Group Policy may disable it again.',
    'Press Windows+R, type services.msc and press Enter.',
    'Double-click "Print Spooler", set "Startup type" to Automatic, choose Apply, then Start (this needs an administrator).',
  ],
  command: 'Set-Service Spooler -StartupType Automatic; Start-Service Spooler',
};

const RESTART: Fix = {
  title: 'Restart the Print Spooler',
  steps: [
    'Press Windows+R, type services.msc and press Enter.',
    'Right-click "Print Spooler" and choose Restart (this needs an administrator).',
    'If it hangs again, a printer driver or a print server that does not answer is the usual cause: tell IT.',
  ],
  command: 'Restart-Service Spooler -Force',
};

const START_TYPE_TEXT: Readonly<Record<string, string>> = {
  automatic: 'starts automatically',
  manual: 'is set to start manually',
  disabled: 'is disabled',
};

function startTypeText(startType: string): string {
  return START_TYPE_TEXT[startType] ?? `has the start type "${startType}"`;
}

/** The outcome for the Print Spooler service's status (`running`…) and start type (`automatic`…). */
export function spoolerOutcome(status: string, startType: string): CheckOutcome {
  const evidence: Evidence[] = [
    { label: 'Service status', value: status },
    { label: 'Start type', value: startType },
  ];

  if (status === 'stopped') {
    const disabled = startType === 'disabled';
    return {
      status: 'fail',
      summary: `The Print Spooler service is stopped and ${startTypeText(startType)}: nothing can print.`,
      details:
        'Windows sends every print job through the Print Spooler service. While it is stopped, printers are missing or show as offline and every job fails.' +
        (disabled ? ' It is disabled, so it has to be enabled before it can start.' : ''),
      evidence,
      fixes: disabled
        ? [ENABLE_AND_START]
        : startType === 'automatic'
          ? [START]
          : [START, AUTOMATIC],
    };
  }

  if (status === 'running') {
    if (startType === 'automatic') {
      return {
        status: 'pass',
        summary: 'The Print Spooler service is running and starts automatically.',
        evidence,
      };
    }
    return {
      status: 'warn',
      summary: `The Print Spooler service is running but ${startTypeText(startType)}: after a restart, nothing will print until it is started again.`,
      details:
        startType === 'disabled'
          ? 'The service was started although it is disabled; once Windows restarts, it stays stopped.'
          : 'Windows starts a manual service only when something asks for it; printing then fails until someone starts the spooler.',
      evidence,
      fixes: [AUTOMATIC],
    };
  }

  if (status === 'start-pending') {
    return {
      status: 'warn',
      summary: 'The Print Spooler service is still starting.',
      details:
        'Run the diagnostics again in a minute. A spooler that stays in "Starting" is usually waiting for a printer driver or a print server that does not answer.',
      evidence,
      fixes: [RESTART],
    };
  }

  if (status === 'stop-pending') {
    return {
      status: 'fail',
      summary: 'The Print Spooler service is stopping: printing does not work until it runs again.',
      evidence,
      fixes: [RESTART],
    };
  }

  return {
    status: 'warn',
    summary: `The Print Spooler service is in an unusual state (${status}).`,
    details: 'The spooler should be running. Restarting it usually brings it back.',
    evidence,
    fixes: [RESTART],
  };
}

export const spoolerCheck: SystemCheck = {
  id: 'windows-spooler',
  title: 'Print Spooler service',
  description:
    'Checks that the Windows Print Spooler service, which every print job goes through, is running and starts automatically.',
  os: ['win32'],
  scope: 'system',
  network: false,
  async run(context) {
    const found = windowsSource(context);
    if ('skip' in found) return [found.skip];
    const { status, startType } = await found.source.spoolerStatus({ signal: context.signal });
    return [spoolerOutcome(status, startType)];
  },
};
