/**
 * Which organisations' sessions an agent may see: the one rule, used on every path (the waiting
 * queue, joining by id or by code, resuming, exporting a transcript). Nothing else compares an
 * agent's scope with an organisation.
 *
 * - A provider agent (Printo Gens staff) serves every organisation, or only the listed ones.
 * - A customer agent (an organisation's own IT, co-managed) serves its home organisation only.
 */
import type { Agent, AgentScope, SessionRecord } from '../store/store.ts';

export function agentServesOrg(agent: { readonly scope: AgentScope }, orgId: string): boolean {
  const scope = agent.scope;
  if (scope.kind === 'customer') return scope.orgId === orgId;
  return scope.orgs === 'all' || scope.orgs.includes(orgId);
}

/**
 * A session's export (its transcript and consent receipts) is for an agent of its organisation
 * who is an administrator or was the session's agent.
 */
export function agentMayExport(
  agent: Pick<Agent, 'id' | 'role' | 'scope'>,
  session: Pick<SessionRecord, 'orgId' | 'agentId'>,
): boolean {
  return (
    agentServesOrg(agent, session.orgId) && (agent.role === 'admin' || session.agentId === agent.id)
  );
}
