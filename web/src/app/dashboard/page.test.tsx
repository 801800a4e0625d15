import { render, screen, within } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ApiState } from '@/lib/api/use-api';

/** What each GET answers, by path (`/usage`, `/sessions`, …); absent = still loading. */
let answers: Record<string, unknown> = {};

vi.mock('@/lib/api/use-api', () => ({
  useApi: (path: string | null): ApiState<unknown> => {
    const answer = path === null ? undefined : answers[path];
    return {
      data: answer instanceof Error ? undefined : answer,
      error: answer instanceof Error ? answer : undefined,
      loading: path !== null && answer === undefined,
      reload: () => {},
    };
  },
}));
vi.mock('@/components/auth/session-provider', () => ({
  useSession: () => ({
    me: { user: { display_name: 'Demo Admin' } },
    org: { organization_name: 'Demo Org' },
  }),
}));
vi.mock('next/navigation', () => ({ usePathname: () => '/dashboard' }));

const { default: DashboardHome } = await import('./page');

const stat = (id: string) => screen.getByTestId(`stat-${id}`);

describe('dashboard home', () => {
  beforeEach(() => {
    answers = {};
  });

  it('says it is loading while the usage report is on its way, never that the API is missing', () => {
    render(<DashboardHome />);
    expect(within(stat('cost')).getByText('Loading…')).toBeInTheDocument();
    expect(screen.queryByText(/not available/i)).toBeNull();
  });

  it('shows the month’s minutes and cost from the usage report’s totals', () => {
    answers['/usage'] = {
      items: [],
      totals: { key: 'total', session_minutes: 12.5, cost_micros: 1_230_000 },
    };
    // Sessions of the month are not where minutes come from (the usage page reads /usage too).
    answers['/sessions'] = { items: [{ id: 's1', duration_seconds: 6000 }] };
    render(<DashboardHome />);
    expect(within(stat('minutes')).getByText('12.5')).toBeInTheDocument();
    expect(within(stat('cost')).getByText('$1.23')).toBeInTheDocument();
  });

  it('names the error when the usage report fails', () => {
    answers['/usage'] = new Error('Service unavailable');
    render(<DashboardHome />);
    expect(within(stat('cost')).getByText(/Couldn’t load usage/)).toBeInTheDocument();
  });

  it('starts a fresh install with one-click steps: the demo, its replay, Ava’s instructions', () => {
    answers['/session-templates'] = {
      items: [{ id: 'tpl-demo', name: 'Demo: Ava and Max', initial_agent: 'ava' }],
    };
    answers['/session-templates/tpl-demo/deployments'] = {
      items: [{ id: 'd1', template_id: 'tpl-demo', embed_key: 'pk_demo', enabled: true }],
    };
    answers['/agents'] = { items: [{ id: 'agent-ava', slug: 'ava', name: 'Ava' }] };
    answers['/sessions'] = { items: [{ id: 'sess-1' }] };
    render(<DashboardHome />);
    const card = screen.getByTestId('start-here');
    const links = within(card).getAllByRole('link');
    expect(links.map((a) => [a.textContent, a.getAttribute('href')])).toEqual([
      ['Start a conversation', '/embed/pk_demo?name=Ava'],
      ['Open the replay', '/dashboard/sessions/sess-1'],
      ['Edit Ava', '/dashboard/agents/agent-ava#agent-instructions'],
    ]);
  });
});
