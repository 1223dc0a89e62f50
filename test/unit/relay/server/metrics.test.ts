import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../../../src-relay/server/metrics.ts';

/** `name{label="value"} number` lines, as a map. */
function samples(text: string): Map<string, number> {
  const map = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    map.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return map;
}

describe('Prometheus metrics', () => {
  it('renders every family with HELP and TYPE, zeros included', () => {
    const text = createMetrics({ residentMemory: () => 123_456 }).render();
    for (const [name, type] of [
      ['printo_relay_connections', 'gauge'],
      ['printo_relay_sessions', 'gauge'],
      ['printo_relay_messages_total', 'counter'],
      ['printo_relay_rejections_total', 'counter'],
      ['process_resident_memory_bytes', 'gauge'],
    ]) {
      expect(text).toContain(`# TYPE ${name} ${type}\n`);
      expect(text).toMatch(new RegExp(`# HELP ${name} \\S`));
    }
    const s = samples(text);
    expect(s.get('printo_relay_connections{role="client"}')).toBe(0);
    expect(s.get('printo_relay_connections{role="agent"}')).toBe(0);
    expect(s.get('printo_relay_sessions{state="waiting"}')).toBe(0);
    expect(s.get('printo_relay_sessions{state="active"}')).toBe(0);
    expect(s.get('process_resident_memory_bytes')).toBe(123_456);
    expect(text.endsWith('\n')).toBe(true);
  });

  it('counts connections, sessions by state, messages and rejections', () => {
    const metrics = createMetrics();
    metrics.connectionOpened('client');
    metrics.connectionOpened('client');
    metrics.connectionOpened('agent');
    metrics.connectionClosed('client');
    metrics.sessionsByState({ waiting: 3, active: 2 });
    metrics.sessionsByState({ waiting: 1, active: 4 });
    metrics.messageRelayed('chat.send');
    metrics.messageRelayed('chat.send');
    metrics.messageRelayed('data.response');
    metrics.rejected('auth-bad-ticket');
    const s = samples(metrics.render());
    expect(s.get('printo_relay_connections{role="client"}')).toBe(1);
    expect(s.get('printo_relay_connections{role="agent"}')).toBe(1);
    expect(s.get('printo_relay_sessions{state="waiting"}')).toBe(1);
    expect(s.get('printo_relay_sessions{state="active"}')).toBe(4);
    expect(s.get('printo_relay_sessions{state="awaiting-consent"}')).toBe(0);
    expect(s.get('printo_relay_messages_total{type="chat.send"}')).toBe(2);
    expect(s.get('printo_relay_messages_total{type="data.response"}')).toBe(1);
    expect(s.get('printo_relay_rejections_total{reason="auth-bad-ticket"}')).toBe(1);
    expect(s.get('process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('keeps the exposition valid and bounded whatever the label values', () => {
    const metrics = createMetrics();
    metrics.rejected('bad"reason\nwith } stuff');
    for (let i = 0; i < 200; i++) metrics.messageRelayed(`type-${i}`);
    const text = metrics.render();
    expect(text).toContain('printo_relay_rejections_total{reason="bad_reason_with___stuff"} 1');
    const typeLines = text.split('\n').filter((l) => l.startsWith('printo_relay_messages_total{'));
    expect(typeLines.length).toBeLessThanOrEqual(65);
    expect(samples(text).get('printo_relay_messages_total{type="other"}')).toBe(200 - 64);
    for (const line of text.split('\n')) {
      expect(line).toMatch(/^(#.*|[a-z_]+(\{[a-z]+="[A-Za-z0-9._:-]+"\})? -?\d+|)$/);
    }
  });
});
