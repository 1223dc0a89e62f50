import type { SensitiveScope } from '../model/diagnostics.ts';
import type { Scope } from '../protocol/v1.ts';
import { REDACTED, shareableReport } from './share-report.ts';
import type { z } from 'zod';
import type { DataSchema } from '../protocol/v1.ts';

type Data = z.infer<typeof DataSchema>;

/**
 * What an agent may see of data the client sends, for the scopes the user granted: device
 * addresses only with `device.identifiers`, document names and owners only with
 * `jobs.metadata`. Applied by the client before sending and again by the relay before forwarding.
 */
export function redactData(data: Data, granted: readonly Scope[]): Data {
  const sensitive: SensitiveScope[] = granted.filter(
    (s): s is SensitiveScope => s === 'device.identifiers' || s === 'jobs.metadata',
  );
  const ids = sensitive.includes('device.identifiers');
  const jobs = sensitive.includes('jobs.metadata');
  switch (data.kind) {
    case 'diagnostics':
      return { kind: 'diagnostics', report: shareableReport(data.report, sensitive) };
    case 'printers':
      return {
        kind: 'printers',
        printers: data.printers.map((printer) =>
          ids
            ? printer
            : {
                ...printer,
                connection: {
                  uri: printer.connection.uri === null ? null : REDACTED['device.identifiers'],
                  port: printer.connection.port === null ? null : REDACTED['device.identifiers'],
                },
              },
        ),
      };
    case 'jobs':
      return {
        kind: 'jobs',
        jobs: data.jobs.map((job) =>
          jobs
            ? job
            : {
                ...job,
                name: job.name === null ? null : REDACTED['jobs.metadata'],
                owner: job.owner === null ? null : REDACTED['jobs.metadata'],
              },
        ),
      };
  }
}
