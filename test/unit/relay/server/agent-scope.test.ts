/** The one rule for which organisations an agent serves, and who may export a session. */
import { describe, expect, it } from 'vitest';
import { agentMayExport, agentServesOrg } from '../../../../src-relay/server/agent-scope.ts';
import type { AgentScope } from '../../../../src-relay/store/store.ts';

const all: AgentScope = { kind: 'provider', orgs: 'all' };
const onlyA: AgentScope = { kind: 'provider', orgs: ['org-a'] };
const customerA: AgentScope = { kind: 'customer', orgId: 'org-a' };
const none: AgentScope = { kind: 'provider', orgs: [] };

describe('agentServesOrg', () => {
  it('a provider serving all serves every organisation; a listed set only those', () => {
    expect(agentServesOrg({ scope: all }, 'org-a')).toBe(true);
    expect(agentServesOrg({ scope: all }, 'org-b')).toBe(true);
    expect(agentServesOrg({ scope: onlyA }, 'org-a')).toBe(true);
    expect(agentServesOrg({ scope: onlyA }, 'org-b')).toBe(false);
    // A list whose organisations are gone serves nothing (not everything).
    expect(agentServesOrg({ scope: none }, 'org-a')).toBe(false);
  });

  it('a customer agent serves its home organisation only', () => {
    expect(agentServesOrg({ scope: customerA }, 'org-a')).toBe(true);
    expect(agentServesOrg({ scope: customerA }, 'org-b')).toBe(false);
  });
});

describe('agentMayExport', () => {
  const session = { orgId: 'org-a', agentId: 'agent-1' };
  it('lets an admin of the organisation, or the session’s own agent, export', () => {
    expect(agentMayExport({ id: 'agent-2', role: 'admin', scope: customerA }, session)).toBe(true);
    expect(agentMayExport({ id: 'agent-1', role: 'agent', scope: onlyA }, session)).toBe(true);
    expect(agentMayExport({ id: 'agent-2', role: 'agent', scope: all }, session)).toBe(false);
  });

  it('never outside the agent’s organisations, not even for an admin or the session’s agent', () => {
    const other = { orgId: 'org-b', agentId: 'agent-1' };
    expect(agentMayExport({ id: 'agent-2', role: 'admin', scope: onlyA }, other)).toBe(false);
    expect(agentMayExport({ id: 'agent-1', role: 'agent', scope: customerA }, other)).toBe(false);
  });
});
