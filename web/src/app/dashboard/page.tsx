import { ButtonLink } from '@/components/ui/button';
import { PageHeader } from '@/components/shell/page-header';
import { DASHBOARD_SECTIONS } from '@/components/shell/dashboard-nav';
import styles from './dashboard.module.css';

const STATS = [
  { label: 'Sessions today', value: '—' },
  { label: 'Minutes this month', value: '—' },
  { label: 'Active agents', value: '—' },
  { label: 'Avg. response latency', value: '—' },
];

export default function DashboardHome() {
  return (
    <>
      <PageHeader
        title="Welcome to Troupe"
        description="Build agents, publish a session template, and embed it anywhere."
        actions={
          <ButtonLink href="/embed/demo" variant="secondary">
            Try a session
          </ButtonLink>
        }
      />
      <section className={styles.stats} aria-label="Overview">
        {STATS.map((stat) => (
          <div key={stat.label} className={styles.stat}>
            <span className={styles.statLabel}>{stat.label}</span>
            <span className={styles.statValue}>{stat.value}</span>
          </div>
        ))}
      </section>
      <h2 className={styles.subheading}>Get started</h2>
      <section className={styles.sections}>
        {DASHBOARD_SECTIONS.filter((s) => s.slug).map(
          ({ href, label, description, icon: Icon }) => (
            <a key={href} href={href} className={styles.sectionCard}>
              <span className={styles.sectionIcon}>
                <Icon size={20} />
              </span>
              <span className={styles.sectionText}>
                <strong>{label}</strong>
                <span>{description}</span>
              </span>
            </a>
          ),
        )}
      </section>
    </>
  );
}
