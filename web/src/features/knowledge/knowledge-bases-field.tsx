'use client';

import Link from 'next/link';
import { CheckboxChips, TextField, dash } from '@/components/ui/kit';
import { useApi } from '@/lib/api/use-api';
import type { KnowledgeBase } from './knowledge-api';

/** The agent form's knowledge section: which knowledge bases it searches, and the automatic
 * retrieval budget (0 = only when the model calls `search_knowledge`). */
export function KnowledgeBasesField({
  value,
  autoTokens,
  onChange,
  onAutoTokensChange,
}: {
  value: string[];
  autoTokens: number;
  onChange: (next: string[]) => void;
  onAutoTokensChange: (next: number) => void;
}) {
  const bases = useApi<{ items: KnowledgeBase[] }>('/knowledge-bases');
  const options = (bases.data?.items ?? []).map((kb) => ({ value: kb.id, label: kb.name }));
  return (
    <div className={dash.stack}>
      <CheckboxChips
        label="Knowledge bases it searches"
        name="knowledge_bases"
        options={options}
        value={value}
        hint={
          <>
            The agent gets the search_knowledge tool. Manage documents in{' '}
            <Link href="/dashboard/knowledge">Knowledge</Link>.
          </>
        }
        onChange={onChange}
      />
      {value.length > 0 && (
        <TextField
          label="Automatic retrieval (tokens per reply, 0 = off)"
          id="knowledge-auto-tokens"
          type="number"
          min={0}
          max={4000}
          value={String(autoTokens)}
          hint="Before each reply, the best passages for what the user said are added to the context."
          onChange={(e) => onAutoTokensChange(Math.max(0, Number(e.target.value) || 0))}
        />
      )}
    </div>
  );
}
