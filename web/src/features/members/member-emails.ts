'use client';

import { useMemo } from 'react';
import type { Schema } from '@/lib/api/client';
import { useApi } from '@/lib/api/use-api';

/** The organization's members' e-mails by user id, so lists name people, not ids. */
export function useMemberEmails(): Map<string, string> {
  const members = useApi<Schema<'MemberList'>>('/members');
  return useMemo(
    () => new Map((members.data?.items ?? []).map((m) => [m.user_id, m.email])),
    [members.data],
  );
}
