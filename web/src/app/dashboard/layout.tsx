import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { SessionProvider } from '@/components/auth/session-provider';
import { DashboardShell } from '@/components/shell/dashboard-shell';

export const metadata: Metadata = {
  title: { default: 'Dashboard', template: '%s · Troupe dashboard' },
  robots: { index: false, follow: false },
};

export default function DashboardLayout({ children }: { children: ReactNode }) {
  return (
    <SessionProvider>
      <DashboardShell>{children}</DashboardShell>
    </SessionProvider>
  );
}
