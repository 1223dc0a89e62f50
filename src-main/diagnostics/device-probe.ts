/**
 * Network probes shared by one diagnostics run: each device is asked once, whatever the number of
 * checks that want its answer (reachability, IPP state, driver match, formats all read the same
 * Get-Printer-Attributes response).
 */
import net from 'node:net';
import { PrintoError } from '../../src-shared/errors.ts';
import { IppClient } from '../printers/ipp/client.ts';
import { IppTransport } from '../printers/ipp/transport.ts';
import type { DeviceAttributes, DeviceProbe } from './check.ts';

const DEVICE_ATTRIBUTES = [
  'printer-state',
  'printer-state-reasons',
  'printer-state-message',
  'printer-make-and-model',
  'printer-device-id',
  'document-format-supported',
  'ipp-features-supported',
  'ipp-versions-supported',
  'printer-supply',
  'printer-supply-description',
  'printer-serial-number',
  'printer-uuid',
] as const;

export const ProbeErrorCode = {
  Refused: 'device-refused',
  Timeout: 'device-timeout',
  Unreachable: 'device-unreachable',
} as const;

/** Connects and closes: is anything listening at host:port? */
export function tcpConnect(host: string, port: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(timeoutError(host, port));
      return;
    }
    const socket = net.connect({ host, port });
    const done = (error: Error | null): void => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      if (error === null) resolve();
      else reject(error);
    };
    const onAbort = (): void => {
      done(timeoutError(host, port));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      done(null);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      const refused = error.code === 'ECONNREFUSED';
      done(
        new PrintoError(
          refused ? ProbeErrorCode.Refused : ProbeErrorCode.Unreachable,
          refused
            ? `Nothing accepts connections at ${host}:${port}.`
            : `Cannot reach ${host}:${port} (${error.code ?? error.message}).`,
          { cause: error },
        ),
      );
    });
  });
}

function timeoutError(host: string, port: number): PrintoError {
  return new PrintoError(ProbeErrorCode.Timeout, `No answer from ${host}:${port} in time.`);
}

export class NetworkDeviceProbe implements DeviceProbe {
  private readonly transport = new IppTransport({ maxResponseBytes: 8 * 1024 * 1024 });
  private readonly answers = new Map<string, Promise<DeviceAttributes>>();
  private readonly timeoutMs: number;

  constructor(options: { timeoutMs: number }) {
    this.timeoutMs = options.timeoutMs;
  }

  connect(host: string, port: number, signal: AbortSignal): Promise<void> {
    return tcpConnect(host, port, signal);
  }

  printerAttributes(uri: string, signal: AbortSignal): Promise<DeviceAttributes> {
    let answer = this.answers.get(uri);
    if (answer === undefined) {
      // The first asker's signal bounds the shared request; later askers wait on the same one.
      answer = this.query(uri, signal);
      this.answers.set(uri, answer);
    }
    return answer;
  }

  close(): void {
    this.transport.close();
  }

  private async query(uri: string, signal: AbortSignal): Promise<DeviceAttributes> {
    const client = IppClient.forUri(uri, { transport: this.transport });
    const response = await client.getPrinterAttributes(
      uri,
      { requestedAttributes: DEVICE_ATTRIBUTES },
      { signal, timeoutMs: this.timeoutMs },
    );
    const printer = response.printers()[0];
    if (printer === undefined) {
      throw new PrintoError(
        'device-bad-response',
        `The printer at ${uri} sent no printer attributes.`,
      );
    }
    const state = printer.enumName('printer-state');
    const descriptions = printer.strings('printer-supply-description');
    const decoder = new TextDecoder();
    return {
      state: state === 'idle' || state === 'processing' || state === 'stopped' ? state : 'unknown',
      reasons: printer.strings('printer-state-reasons').filter((r) => r !== 'none'),
      stateMessage: printer.string('printer-state-message') ?? null,
      makeAndModel: printer.string('printer-make-and-model') ?? null,
      deviceId: printer.string('printer-device-id') ?? null,
      documentFormats: printer.strings('document-format-supported'),
      ippFeatures: printer.strings('ipp-features-supported'),
      ippVersions: printer.strings('ipp-versions-supported'),
      supplies: printer.octets('printer-supply').map((bytes, i) => ({
        value: decoder.decode(bytes),
        description: descriptions[i] ?? null,
      })),
      serialNumber: printer.string('printer-serial-number') ?? null,
      uuid: printer.string('printer-uuid') ?? null,
    };
  }
}
