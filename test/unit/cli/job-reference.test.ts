import { describe, expect, it } from 'vitest';
import { parseJobReference } from '../../../src-main/cli/printo-help.ts';

const queues =
  (...names: string[]) =>
  (name: string): Promise<boolean> =>
    Promise.resolve(names.includes(name));

describe('naming a job on the command line', () => {
  it('accepts PRINTER JOB-ID and PRINTER-JOBID, queue names with dashes included', async () => {
    const none = queues();
    await expect(parseJobReference('Office', '12', none)).resolves.toEqual({
      printer: 'Office',
      jobId: 12,
    });
    await expect(parseJobReference('Office-12', undefined, none)).resolves.toEqual({
      printer: 'Office',
      jobId: 12,
    });
    await expect(parseJobReference('HP-LaserJet-4th-Floor-7', undefined, none)).resolves.toEqual({
      printer: 'HP-LaserJet-4th-Floor',
      jobId: 7,
    });
  });

  it('takes a queue whose name ends in -digits as a queue with its JOB-ID forgotten', async () => {
    await expect(
      parseJobReference('office-1', undefined, queues('office', 'office-1')),
    ).rejects.toMatchObject({ code: 'job-id-missing', message: /"office-1" is a printer/ });
    // Two arguments: the first one is the queue, whatever it looks like.
    await expect(parseJobReference('office-1', '3', queues('office-1'))).resolves.toEqual({
      printer: 'office-1',
      jobId: 3,
    });
  });

  it('rejects what is not a job, each with its own code', async () => {
    const none = queues();
    await expect(parseJobReference('Office', 'twelve', none)).rejects.toMatchObject({
      code: 'job-id-invalid',
    });
    await expect(parseJobReference('Office', '0', none)).rejects.toMatchObject({
      code: 'job-id-invalid',
    });
    await expect(parseJobReference('Office', undefined, none)).rejects.toMatchObject({
      code: 'job-id-missing',
    });
    await expect(parseJobReference('', '3', none)).rejects.toMatchObject({
      code: 'printer-name-empty',
    });
  });
});
