/**
 * ClientServices with the real OS keyring, in a process of its own (the keyring library meets one
 * D-Bus bus per process, test/testbed/keyring.ts): `node keyring-child.ts JSON` with the keyring
 * bed's environment. JSON: { dir, cupsSocket, steps }; the policy file and the transcripts file are
 * in `dir`. Prints one JSON object: `steps`, each step's outcome in order, and the failures the
 * services reported in the background.
 */
import { join } from 'node:path';
import { ServiceCallError } from '../../../src-shared/api/dispatch.ts';
import { createPolicyService } from '../../../src-main/policy/policy-sources.ts';
import { CupsPrinterSystem } from '../../../src-main/printers/cups/cups-printer-system.ts';
import { parseCupsServerName } from '../../../src-main/printers/cups/server.ts';
import { KeyringSecretStore } from '../../../src-main/secrets/keyring-store.ts';
import { createClientServices } from '../../../src-main/services/index.ts';

export type ChildStep = 'enrolment' | 'ask-and-end' | 'diagnose' | 'transcripts' | 'reports';

export interface ChildInput {
  readonly dir: string;
  readonly cupsSocket: string;
  readonly steps: readonly ChildStep[];
}

const input = JSON.parse(process.argv[2] ?? '{}') as ChildInput;
const system = new CupsPrinterSystem({
  server: { endpoint: parseCupsServerName(input.cupsSocket, 'test'), source: 'test' },
  deviceQuery: false,
});
const backgroundErrors: string[] = [];
const host = await createClientServices({
  system,
  policy: createPolicyService({
    platform: 'linux',
    policyFilePath: join(input.dir, 'policy.json'),
    userSettingsPath: join(input.dir, 'settings.json'),
  }),
  secrets: new KeyringSecretStore(),
  transcriptsPath: join(input.dir, 'transcripts.sqlite'),
  shell: 'terminal',
  deviceName: 'WS-KEYRING-SERVICES',
  diagnostics: { networkTimeoutMs: 600 },
  onBackgroundError: (error) => backgroundErrors.push(String(error)),
});

async function perform(step: ChildStep): Promise<unknown> {
  switch (step) {
    case 'enrolment':
      return host.call('support.enrolment', {});
    case 'ask-and-end': {
      const asked = await host.call('support.ask', { description: 'Keyring test' });
      const ended = await host.call('support.end', {});
      return { asked, ended };
    }
    case 'diagnose':
      return (await host.call('diagnostics.run', { runId: 'keyring' })).reportId;
    case 'transcripts':
      return (await host.call('transcripts.list', {})).map((s) => s.sessionId);
    case 'reports':
      return (await host.call('diagnostics.reports', {})).map((r) => r.reportId);
  }
}

const steps: unknown[] = [];
for (const step of input.steps) {
  try {
    steps.push({ ok: true, value: await perform(step) });
  } catch (error) {
    if (!(error instanceof ServiceCallError)) throw error;
    steps.push({ ok: false, code: error.code, message: error.message });
  }
}
await host.close();
system.close();
process.stdout.write(`${JSON.stringify({ steps, backgroundErrors })}\n`);
