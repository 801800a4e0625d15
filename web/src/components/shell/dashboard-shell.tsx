'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useState, type ReactNode } from 'react';
import { useSession } from '@/components/auth/session-provider';
import { ThemeToggle } from '@/components/theme/theme-toggle';
import { MenuIcon } from '@/components/ui/icons';
import { Logo } from '@/components/ui/logo';
import { DASHBOARD_SECTIONS } from './dashboard-nav';
import styles from './dashboard-shell.module.css';
import { VerifyEmailBanner } from './verify-email-banner';

function isActive(pathname: string, href: string): boolean {
  return href === '/dashboard' ? pathname === href : pathname.startsWith(href);
}

export function DashboardShell({ children }: { children: ReactNode }) {
  const pathname = usePathname() ?? '/dashboard';
  // The mobile drawer is open for the page it was opened on: navigating closes it.
  const [openedOn, setOpenedOn] = useState<string | null>(null);
  const navOpen = openedOn === pathname;
  const setNavOpen = (open: boolean) => setOpenedOn(open ? pathname : null);
  const { me, org, switchOrg, logout } = useSession();
  const initials =
    (me.user.display_name || me.user.email)
      .split(/[\s@.]+/)
      .filter(Boolean)
      .slice(0, 2)
      .map((w) => w[0]?.toUpperCase())
      .join('') || 'ME';

  return (
    <div className={styles.shell} data-nav-open={navOpen || undefined}>
      <aside className={styles.sidebar} id="dashboard-sidebar">
        <div className={styles.sidebarInner}>
          <div className={styles.brand}>
            <Logo href="/dashboard" />
          </div>
          <nav aria-label="Dashboard" data-testid="dashboard-nav" className={styles.nav}>
            <ul>
              {DASHBOARD_SECTIONS.map(({ href, label, icon: Icon }) => {
                const active = isActive(pathname, href);
                return (
                  <li key={href}>
                    <Link
                      href={href}
                      className={styles.navLink}
                      aria-current={active ? 'page' : undefined}
                    >
                      <Icon size={18} />
                      <span>{label}</span>
                    </Link>
                  </li>
                );
              })}
            </ul>
          </nav>
          <div className={styles.sidebarFooter}>
            <span className={styles.plan}>Self-hosted</span>
          </div>
        </div>
      </aside>
      <button
        type="button"
        className={styles.scrim}
        aria-label="Close navigation"
        tabIndex={navOpen ? 0 : -1}
        onClick={() => setNavOpen(false)}
      />
      <div className={styles.main}>
        <header className={styles.header}>
          <button
            type="button"
            className={styles.menuButton}
            aria-label="Open navigation"
            aria-controls="dashboard-sidebar"
            aria-expanded={navOpen}
            onClick={() => setNavOpen(true)}
          >
            <MenuIcon />
          </button>
          <div className={styles.org}>
            <span className={styles.orgAvatar} aria-hidden="true">
              {(org?.organization_name ?? 'T').slice(0, 1).toUpperCase()}
            </span>
            {me.memberships.length > 1 ? (
              <select
                className={styles.orgSelect}
                aria-label="Organization"
                data-testid="org-switcher"
                value={org?.organization_id ?? ''}
                onChange={(e) => switchOrg(e.target.value)}
              >
                {me.memberships.map((m) => (
                  <option key={m.organization_id} value={m.organization_id}>
                    {m.organization_name} · {m.role}
                  </option>
                ))}
              </select>
            ) : (
              <span className={styles.orgName} data-testid="org-name">
                {org?.organization_name ?? 'No organization'}
              </span>
            )}
          </div>
          <div className={styles.headerActions}>
            <ThemeToggle />
            <Link
              href="/dashboard/settings"
              className={styles.user}
              aria-label={`Profile: ${me.user.display_name || me.user.email}`}
              title={me.user.email}
              data-testid="user-menu"
            >
              <span aria-hidden="true">{initials}</span>
            </Link>
            <button
              type="button"
              className={styles.logout}
              onClick={() => void logout()}
              data-testid="logout"
            >
              Sign out
            </button>
          </div>
        </header>
        <main className={styles.content}>
          <VerifyEmailBanner />
          {children}
        </main>
      </div>
    </div>
  );
}
