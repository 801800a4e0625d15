import { ATTR_ACTIVE_AGENT_AVATAR, ATTR_ACTIVE_AGENT_NAME } from '@/contracts';

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

/**
 * The active agent's avatar image: the runtime sets `troupe.active_agent_avatar` with the name
 * (empty when that agent has none). Only a same-origin path is used (`/api/v1/avatars/…`,
 * loaded through the app's own `/api`, which the page's CSP allows); anything else is ignored
 * and the page shows the name's initial.
 */
export function activeAgentAvatar(
  attributes: Readonly<Record<string, string>> | undefined,
): string | undefined {
  const value = attributes?.[ATTR_ACTIVE_AGENT_AVATAR]?.trim();
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.includes('\\')) {
    return undefined;
  }
  return value;
}
