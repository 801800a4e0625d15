import { render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import AuditPage from '@/app/dashboard/audit/page';

afterEach(() => vi.unstubAllGlobals());

vi.mock('next/navigation', () => ({
  useRouter: () => ({ push: vi.fn(), replace: vi.fn() }),
  useSearchParams: () => new URLSearchParams(),
  usePathname: () => '/dashboard/audit',
}));

const USER = '7d3c2a10-0000-4000-8000-000000000001';

describe('audit list', () => {
  it('names the actor by e-mail, not by user id', async () => {
    const answers: Record<string, unknown> = {
      '/api/v1/members': {
        items: [{ user_id: USER, email: 'ada@example.com', display_name: 'Ada', role: 'admin' }],
      },
      '/api/v1/audit-events': {
        items: [
          {
            id: 'e1',
            created_at: '2026-12-06T00:00:00Z',
            action: 'agent.create',
            user_id: USER,
            api_key_id: null,
            ip: null,
            details: {},
          },
        ],
        next_cursor: null,
      },
    };
    vi.stubGlobal(
      'fetch',
      vi.fn().mockImplementation((url: string) => {
        const path = new URL(String(url), 'http://x').pathname;
        return Promise.resolve(
          new Response(JSON.stringify(answers[path] ?? { items: [] }), {
            status: 200,
            headers: { 'content-type': 'application/json' },
          }),
        );
      }),
    );
    render(<AuditPage />);
    expect(await screen.findByText('ada@example.com')).toBeInTheDocument();
    expect(screen.queryByText(USER.slice(0, 8))).toBeNull();
  });
});
