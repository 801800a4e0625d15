'use client';

import { usePathname, useRouter } from 'next/navigation';
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { ApiError } from '@/lib/api/api-error';
import { api, getSelectedOrg, setSelectedOrg, type Schema } from '@/lib/api/client';

export type Me = Schema<'MeRead'>;
export type Membership = Schema<'MembershipRead'>;

interface SessionValue {
  me: Me;
  org: Membership | undefined;
  switchOrg: (orgId: string) => void;
  reloadMe: () => Promise<void>;
  logout: () => Promise<void>;
}

const SessionContext = createContext<SessionValue | null>(null);

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}

/** The selected membership: the remembered one if still a member, else the API's default. */
export function pickOrg(me: Me, remembered: string | null): Membership | undefined {
  return (
    me.memberships.find((m) => m.organization_id === remembered) ??
    me.memberships.find((m) => m.organization_id === me.default_organization_id) ??
    me.memberships[0]
  );
}

/** Loads `/me`; no session → `/login?next=…`. Children render only once the user is known. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const router = useRouter();
  const pathname = usePathname();
  const [me, setMe] = useState<Me | null>(null);
  const [orgId, setOrgId] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  // Bumped on org switch so every page below re-mounts and refetches for the new org.
  const [generation, setGeneration] = useState(0);

  const reloadMe = useCallback(async () => {
    try {
      const loaded = await api<Me>('/me', { noOrg: true });
      const org = pickOrg(loaded, getSelectedOrg());
      setSelectedOrg(org?.organization_id ?? null);
      setOrgId(org?.organization_id ?? null);
      setMe(loaded);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        router.replace(`/login?next=${encodeURIComponent(pathname ?? '/dashboard')}`);
      } else {
        setFailure(error instanceof Error ? error.message : 'Could not load your account.');
      }
    }
  }, [pathname, router]);

  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect
    void reloadMe();
    // Only on mount: navigation inside the dashboard keeps the session.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const switchOrg = useCallback((id: string) => {
    setSelectedOrg(id);
    setOrgId(id);
    setGeneration((g) => g + 1);
  }, []);

  const logout = useCallback(async () => {
    try {
      await api('/auth/logout', { method: 'POST', noOrg: true });
    } finally {
      setSelectedOrg(null);
      router.replace('/login');
    }
  }, [router]);

  if (!me) {
    return (
      <div style={{ padding: 'var(--space-8)', color: 'var(--color-text-muted)' }} role="status">
        {failure ?? 'Loading your workspace…'}
      </div>
    );
  }
  const org = me.memberships.find((m) => m.organization_id === orgId);
  return (
    <SessionContext.Provider value={{ me, org, switchOrg, reloadMe, logout }}>
      <div key={generation} style={{ display: 'contents' }}>
        {children}
      </div>
    </SessionContext.Provider>
  );
}
