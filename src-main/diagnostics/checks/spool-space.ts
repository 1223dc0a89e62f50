import type { SystemCheck } from '../check.ts';

const MiB = 1024 * 1024;
const FAIL_BELOW = 100 * MiB;
const WARN_BELOW = 1024 * MiB;

function size(bytes: number): string {
  return bytes >= 1024 * MiB
    ? `${(bytes / 1024 / MiB).toFixed(1)} GiB`
    : `${Math.round(bytes / MiB)} MiB`;
}

export const spoolSpaceCheck: SystemCheck = {
  id: 'spool-space',
  title: 'Space for print jobs',
  description: 'Free disk space where the print service stores jobs before they print.',
  os: ['linux', 'darwin', 'win32'],
  scope: 'system',
  network: false,
  async run({ env, signal }) {
    if (env.spoolSpace === undefined) {
      return [
        {
          status: 'skip',
          summary:
            'The print service is on another computer: its disk space cannot be checked from here.',
        },
      ];
    }
    const space = await env.spoolSpace({ signal });
    const evidence = [
      { label: 'Spool folder', value: space.path },
      { label: 'Free', value: size(space.freeBytes) },
      { label: 'Total', value: size(space.totalBytes) },
    ];
    const fixes = [
      {
        title: 'Free some disk space',
        steps: [
          'Empty the recycle bin / trash and delete large files you no longer need.',
          'Cancel very large print jobs that are stuck.',
          'If the disk stays full, contact IT.',
        ],
      },
    ];
    if (space.freeBytes < FAIL_BELOW) {
      return [
        {
          status: 'fail',
          summary: `Only ${size(space.freeBytes)} free where print jobs are stored: large jobs will fail.`,
          evidence,
          fixes,
        },
      ];
    }
    if (space.freeBytes < WARN_BELOW) {
      return [
        {
          status: 'warn',
          summary: `${size(space.freeBytes)} free where print jobs are stored: large jobs may fail.`,
          evidence,
          fixes,
        },
      ];
    }
    return [
      {
        status: 'pass',
        summary: `${size(space.freeBytes)} free where print jobs are stored.`,
        evidence,
      },
    ];
  },
};
