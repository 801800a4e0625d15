import { ATTR_ACTIVE_AGENT_NAME } from '@/contracts';

interface ParticipantLike {
  name?: string;
  identity: string;
}

/**
 * The agent currently talking: the runtime sets `troupe.active_agent_name` on its participant at
 * every handoff; before that (or with an older runtime) the participant's own name is used.
 */
export function activeAgentName(
  attributes: Readonly<Record<string, string>> | undefined,
  participant: ParticipantLike | undefined,
): string | undefined {
  const fromAttribute = attributes?.[ATTR_ACTIVE_AGENT_NAME]?.trim();
  if (fromAttribute) return fromAttribute;
  const name = participant?.name?.trim();
  if (name) return name;
  return participant?.identity;
}
