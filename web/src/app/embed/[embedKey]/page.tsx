import type { Metadata } from 'next';
import { StartSessionCard } from '@/features/session/components/start-session-card';
import { embedVariables } from '@/features/session/lib/embed-variables';

export const metadata: Metadata = {
  title: 'Start a conversation',
  robots: { index: false, follow: false },
};

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

function firstParam(value: string | string[] | undefined): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first?.trim() ? first.trim().slice(0, 80) : undefined;
}

/**
 * Public start page for an embed key. Embedding sites may pass `?name=` (the agent or template
 * name to show) and session variables (`?var.<name>=<text>` or `?vars=<JSON object>`:
 * embed-variables.ts); no public endpoint describes an embed key yet.
 */
export default async function EmbedPage({
  params,
  searchParams,
}: {
  params: Promise<{ embedKey: string }>;
  searchParams: SearchParams;
}) {
  const { embedKey } = await params;
  const query = await searchParams;
  return (
    <StartSessionCard
      embedKey={decodeURIComponent(embedKey)}
      agentName={firstParam(query.name)}
      variables={embedVariables(query)}
    />
  );
}
