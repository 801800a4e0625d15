'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useState, type ReactNode } from 'react';
import { ThemeToggle } from '@/components/theme/theme-toggle';
import { MenuIcon } from '@/components/ui/icons';
import { Logo } from '@/components/ui/logo';
import { DASHBOARD_SECTIONS } from './dashboard-nav';
import styles from './dashboard-shell.module.css';

function isActive(pathname: string, href: string): boolean {
  return href === '/dashboard' ? pathname === href : pathname.startsWith(href);
}

export function DashboardShell({ children }: { children: ReactNode }) {
  const pathname = usePathname() ?? '/dashboard';
  // The mobile drawer is open for the page it was opened on: navigating closes it.
  const [openedOn, setOpenedOn] = useState<string | null>(null);
  const navOpen = openedOn === pathname;
  const setNavOpen = (open: boolean) => setOpenedOn(open ? pathname : null);

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
              T
            </span>
            <span className={styles.orgName}>My organization</span>
          </div>
          <div className={styles.headerActions}>
            <ThemeToggle />
            <Link href="/login" className={styles.user} aria-label="Account">
              <span aria-hidden="true">ME</span>
            </Link>
          </div>
        </header>
        <main className={styles.content}>{children}</main>
      </div>
    </div>
  );
}
