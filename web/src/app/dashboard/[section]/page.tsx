import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { DASHBOARD_SECTIONS, findSection } from '@/components/shell/dashboard-nav';
import { ComingSoon, PageHeader } from '@/components/shell/page-header';

type Params = Promise<{ section: string }>;

export function generateStaticParams() {
  return DASHBOARD_SECTIONS.filter((s) => s.slug).map((s) => ({ section: s.slug }));
}

export const dynamicParams = false;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const section = findSection((await params).section);
  return { title: section?.label ?? 'Not found' };
}

export default async function DashboardSectionPage({ params }: { params: Params }) {
  const section = findSection((await params).section);
  if (!section || !section.slug) notFound();
  return (
    <>
      <PageHeader title={section.label} description={section.description} />
      <ComingSoon
        title={`${section.label} is on its way`}
        body="This part of the dashboard is being built. The layout, navigation and theme are ready; the data arrives with the API."
      />
    </>
  );
}
