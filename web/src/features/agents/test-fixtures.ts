import type { Schema } from '@/lib/api/client';

/** A saved agent as the API returns it, for the agent form's tests (`billing` unless overridden). */
export function agentRead(fields: Record<string, unknown> = {}): Schema<'AgentRead'> {
  return {
    id: 'a2',
    organization_id: 'o',
    slug: 'billing',
    name: 'Billing',
    instructions: 'x',
    version: 1,
    created_at: '',
    updated_at: '',
    ...fields,
  } as unknown as Schema<'AgentRead'>;
}
