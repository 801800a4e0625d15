import type { Metadata } from 'next';
import { SessionPageClient } from '@/features/session/components/session-page-client';

export const metadata: Metadata = {
  title: 'Conversation',
  robots: { index: false, follow: false },
};

export default async function SessionPage({ params }: { params: Promise<{ sessionId: string }> }) {
  const { sessionId } = await params;
  return <SessionPageClient sessionId={decodeURIComponent(sessionId)} />;
}
