/**
 * A CUPS test bed to try Printo Help against by hand:
 *
 *   npm run testbed -- [--printers N] [--keep]
 *
 * Starts N virtual printers (default 2) with one queue each, alternately IPP Everywhere and
 * classic PPD, the first one the default, plus a queue whose device is gone; prints the
 * environment to use and stays up until Ctrl-C.
 */
import { parseArgs } from 'node:util';
import { CLASSIC_PPD_MODEL, startTestbed } from './testbed.ts';
import type { QueueOptions, TestDevice } from './testbed.ts';

const USAGE = `Usage: npm run testbed -- [--printers N] [--keep]

  --printers N  virtual printers, each with a queue (1-50, default 2)
  --keep        keep the test bed's directory (logs, spool) after Ctrl-C`;

function parse(): { readonly printers: number; readonly keep: boolean } {
  const { values } = parseArgs({
    options: {
      printers: { type: 'string', default: '2' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const printers = Number(values.printers);
  if (!Number.isInteger(printers) || printers < 1 || printers > 50) {
    console.error(
      `--printers must be a whole number from 1 to 50, got "${values.printers}".\n\n${USAGE}`,
    );
    process.exit(2);
  }
  return { printers, keep: values.keep };
}

async function main(): Promise<void> {
  const { printers, keep } = parse();
  const started = performance.now();
  const bed = await startTestbed({ name: 'demo', keepDir: keep });
  // The daemons do not keep Node's event loop alive (they must not hold up a finished test run).
  const keepAlive = setInterval(() => undefined, 1 << 30);
  const stop = async (): Promise<void> => {
    clearInterval(keepAlive);
    console.log('\nStopping the test bed...');
    await bed.stop();
    console.log(keep ? `Stopped; its files are in ${bed.dir}` : 'Stopped.');
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      void stop().then(() => process.exit(0));
    });
  }

  try {
    const devices: TestDevice[] = [];
    for (let i = 1; i <= printers; i++) {
      devices.push(
        await bed.addDevice({
          name: `printer-${i}`,
          model: i % 2 === 1 ? 'LaserWriter' : 'ColorJet',
          location: `Room ${100 + i}`,
          color: i % 2 === 0,
          duplex: true,
        }),
      );
    }
    const queues: QueueOptions[] = devices.map((device, index) => ({
      name: index % 2 === 0 ? `office-${index + 1}` : `classic-${index + 1}`,
      device,
      driver: index % 2 === 0 ? 'everywhere' : CLASSIC_PPD_MODEL,
      description: `${index % 2 === 0 ? 'IPP Everywhere' : 'Classic PPD'} queue for ${device.name}`,
      location: `Room ${100 + index + 1}`,
      isDefault: index === 0,
    }));
    queues.push({
      name: 'unplugged',
      driver: CLASSIC_PPD_MODEL,
      description: 'Its device is gone',
    });
    await bed.addQueues(queues);
    const elapsed = Math.round(performance.now() - started);

    console.log(`Printo Help test bed is up (${elapsed} ms): ${bed.dir}\n`);
    console.log('Queues:');
    for (const queue of queues) {
      const target = queue.device?.uri ?? '(nothing listens there)';
      const driver = queue.driver === 'everywhere' ? 'IPP Everywhere' : queue.driver;
      console.log(
        `  ${queue.name}${queue.isDefault === true ? ' (default)' : ''}: ${driver ?? ''} -> ${target}`,
      );
    }
    console.log('\nVirtual printers (supplies and paper can be changed on their web pages):');
    for (const device of devices)
      console.log(`  ${device.name}: ${device.webUrl}/supplies  ${device.webUrl}/media`);
    console.log('\nPoint CUPS tools or Printo Help at it:\n');
    for (const [key, value] of Object.entries(bed.env)) console.log(`export ${key}=${value}`);
    console.log(`# or over TCP: export CUPS_SERVER=${bed.tcpEnv['CUPS_SERVER'] ?? ''}`);
    const first = queues[0]?.name ?? 'office-1';
    console.log(
      `\nThen e.g.: lpstat -l -p; lp -d ${first} -t 'STATE: +media-jam' /etc/hostname; lp -d ${first} -t 'SLEEP:30' /etc/hostname`,
    );
    console.log(
      'Job titles drive the printers: see test/testbed/fake-print.sh. Ctrl-C stops everything.',
    );
  } catch (error) {
    await stop();
    throw error;
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
