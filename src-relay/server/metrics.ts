/**
 * The relay's metrics in the Prometheus text exposition format (version 0.0.4), with no client
 * library: four families and the process's resident memory. Label values come from the code
 * (roles, states, frame types, rejection reasons) but are still sanitised and capped, so a bug
 * can neither break the format nor grow the series without bound.
 */
import type { Metrics } from './contracts.ts';
import type { SessionState } from '../store/store.ts';

const SESSION_STATES: readonly SessionState[] = ['waiting', 'awaiting-consent', 'active', 'ended'];
/** More distinct label values than this in one family are counted under `other`. */
const MAX_LABEL_VALUES = 64;

export interface MetricsOptions {
  /** Resident set size in bytes (default: process.memoryUsage.rss). */
  readonly residentMemory?: () => number;
}

/** Label values are identifiers; anything else becomes `_` so the exposition stays valid. */
function labelValue(value: string): string {
  const clean = value.replace(/[^A-Za-z0-9._:-]/g, '_').slice(0, 64);
  return clean === '' ? '_' : clean;
}

class Family {
  readonly values = new Map<string, number>();
  add(label: string, delta: number): void {
    let key = labelValue(label);
    if (!this.values.has(key) && this.values.size >= MAX_LABEL_VALUES) key = 'other';
    this.values.set(key, (this.values.get(key) ?? 0) + delta);
  }
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const rss = options.residentMemory ?? (() => process.memoryUsage.rss());
  const connections = new Family();
  connections.add('client', 0);
  connections.add('agent', 0);
  let sessions = new Map<string, number>(SESSION_STATES.map((s) => [s, 0]));
  const messages = new Family();
  const rejections = new Family();

  const family = (
    name: string,
    type: 'gauge' | 'counter',
    help: string,
    label: string,
    values: ReadonlyMap<string, number>,
  ): string => {
    const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`];
    for (const [value, count] of [...values].sort(([a], [b]) => a.localeCompare(b))) {
      lines.push(`${name}{${label}="${value}"} ${count}`);
    }
    return lines.join('\n');
  };

  return {
    connectionOpened: (role) => {
      connections.add(role, 1);
    },
    connectionClosed: (role) => {
      connections.add(role, -1);
    },
    sessionsByState: (counts) => {
      const next = new Map<string, number>(SESSION_STATES.map((s) => [s, 0]));
      for (const [state, count] of Object.entries(counts)) {
        const key = labelValue(state);
        if (next.has(key) || next.size < MAX_LABEL_VALUES) next.set(key, count);
      }
      sessions = next;
    },
    messageRelayed: (type) => {
      messages.add(type, 1);
    },
    rejected: (reason) => {
      rejections.add(reason, 1);
    },
    render: () =>
      [
        family(
          'printo_relay_connections',
          'gauge',
          'Open WebSocket connections by role.',
          'role',
          connections.values,
        ),
        family('printo_relay_sessions', 'gauge', 'Support sessions by state.', 'state', sessions),
        family(
          'printo_relay_messages_total',
          'counter',
          'Frames relayed between clients and agents, by type.',
          'type',
          messages.values,
        ),
        family(
          'printo_relay_rejections_total',
          'counter',
          'Refused requests, upgrades and frames, by reason.',
          'reason',
          rejections.values,
        ),
        '# HELP process_resident_memory_bytes Resident memory size in bytes.',
        '# TYPE process_resident_memory_bytes gauge',
        `process_resident_memory_bytes ${rss()}`,
        '',
      ].join('\n'),
  };
}
