'use client';

import Link from 'next/link';
import { useSession } from '@/components/auth/session-provider';
import { Card, dash } from '@/components/ui/kit';
import { ButtonLink } from '@/components/ui/button';
import { PageHeader } from '@/components/shell/page-header';
import { DASHBOARD_SECTIONS } from '@/components/shell/dashboard-nav';
import { formatCost } from '@/lib/format';
import { StartHereCard } from '@/features/home/start-here-card';
import { costMicrosOf, minutesOf, type UsageResponse } from '@/features/usage/usage-data';
import { errorMessage, type Schema } from '@/lib/api/client';
import { useApi } from '@/lib/api/use-api';
import { useState } from 'react';
import styles from './dashboard.module.css';

function startOfDay(now: number) {
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  return d;
}

export default function DashboardHome() {
  const { me, org } = useSession();
  const [now] = useState(() => Date.now());
  const monthStart = new Date(
    new Date(now).getFullYear(),
    new Date(now).getMonth(),
    1,
  ).toISOString();
  const today = startOfDay(now).toISOString();
  const todays = useApi<Schema<'SessionList'>>('/sessions', {
    query: { since: today, limit: 200 },
  });
  const active = useApi<Schema<'SessionList'>>('/sessions', {
    query: { status: 'active', limit: 200 },
    pollMs: 5000,
  });
  // The same report the usage page reads; its totals are the month's minutes and cost.
  const usage = useApi<UsageResponse>('/usage', { query: { since: monthStart, group_by: 'day' } });
  const totals = usage.data?.totals;
  const usageHint = usage.error
    ? `Couldn’t load usage: ${errorMessage(usage.error)}`
    : usage.loading && !totals
      ? 'Loading…'
      : undefined;

  const stats = [
    {
      label: 'Sessions today',
      value: todays.data ? String(todays.data.items.length) : '—',
      id: 'sessions-today',
    },
    {
      label: 'Minutes this month',
      value: totals ? minutesOf(totals).toFixed(1) : '—',
      hint: usageHint,
      id: 'minutes',
    },
    {
      label: 'Active sessions',
      value: active.data ? String(active.data.items.length) : '—',
      id: 'active',
    },
    {
      label: 'Cost this month',
      value: totals ? formatCost(costMicrosOf(totals)) : '—',
      hint: usageHint,
      id: 'cost',
    },
  ];

  return (
    <>
      <PageHeader
        title={`Welcome${me.user.display_name ? `, ${me.user.display_name.split(' ')[0]}` : ''}`}
        description={`${org?.organization_name ?? 'Your organization'} at a glance.`}
        actions={<ButtonLink href="/dashboard/templates">Test a template</ButtonLink>}
      />
      <StartHereCard />
      <section className={styles.stats} aria-label="Overview">
        {stats.map((stat) => (
          <div key={stat.label} className={styles.stat} data-testid={`stat-${stat.id}`}>
            <span className={styles.statLabel}>{stat.label}</span>
            <span className={styles.statValue}>{stat.value}</span>
            {stat.hint && <span className={dash.hint}>{stat.hint}</span>}
          </div>
        ))}
      </section>
      {(active.data?.items.length ?? 0) > 0 && (
        <Card title="Live now">
          <ul>
            {active.data?.items.map((s) => (
              <li key={s.id}>
                <Link href={`/dashboard/sessions/${s.id}`}>{s.id.slice(0, 8)}</Link>
              </li>
            ))}
          </ul>
        </Card>
      )}
      <h2 className={styles.subheading}>Build</h2>
      <section className={styles.sections}>
        {DASHBOARD_SECTIONS.filter((s) => s.slug).map(
          ({ href, label, description, icon: Icon }) => (
            <Link key={href} href={href} className={styles.sectionCard}>
              <span className={styles.sectionIcon}>
                <Icon size={20} />
              </span>
              <span className={styles.sectionText}>
                <strong>{label}</strong>
                <span>{description}</span>
              </span>
            </Link>
          ),
        )}
      </section>
    </>
  );
}
