import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { PanelHarness } from '@/features/panel-harness/panel-harness';
import { devPagesEnabled } from '@/lib/dev-pages';

export const metadata: Metadata = { title: 'Panel harness', robots: { index: false } };
// Read the flag per request: one build serves the harness only where it was asked for.
export const dynamic = 'force-dynamic';

export default function DevPanelsPage() {
  if (!devPagesEnabled()) notFound();
  return <PanelHarness />;
}
