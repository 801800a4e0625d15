import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';

const replace = vi.fn();
vi.mock('next/navigation', () => ({
  useRouter: () => ({ replace, push: vi.fn() }),
  useSearchParams: () => new URLSearchParams('token=tec_abc'),
}));

import { ConfirmEmail, VerifyEmail } from '@/components/auth/confirm-email';
import { OAuthButtons } from '@/components/auth/oauth-buttons';
import { EmailChange } from './email-change';
import { Organizations } from './organizations';
import { SignOutEverywhere } from './sign-out-everywhere';

afterEach(() => {
  vi.unstubAllGlobals();
  replace.mockReset();
});

function json(body: unknown, status = 200): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

function calls(fetchMock: ReturnType<typeof vi.fn>) {
  return fetchMock.mock.calls.map((args: unknown[]) => {
    const init = args[1] as RequestInit | undefined;
    return {
      url: String(args[0]),
      method: init?.method ?? 'GET',
      body: init?.body ? (JSON.parse(String(init.body)) as unknown) : undefined,
    };
  });
}

describe('EmailChange', () => {
  it('validates, then asks the API to mail a confirmation link', async () => {
    const fetchMock = vi
      .fn()
      .mockResolvedValue(
        json({ pending_email: 'new@example.com', expires_at: '2026-12-07T00:00:00Z' }, 202),
      );
    vi.stubGlobal('fetch', fetchMock);
    const onChanged = vi.fn();
    render(<EmailChange email="old@example.com" pendingEmail={null} onChanged={onChanged} />);
    fireEvent.change(screen.getByLabelText('New email'), { target: { value: 'old@example.com' } });
    fireEvent.click(screen.getByRole('button', { name: 'Change email' }));
    expect(await screen.findByText('That is already your address.')).toBeInTheDocument();
    expect(screen.getByText('Enter your current password.')).toBeInTheDocument();
    expect(fetchMock).not.toHaveBeenCalled();

    fireEvent.change(screen.getByLabelText('New email'), { target: { value: 'new@example.com' } });
    fireEvent.change(screen.getByLabelText('Current password'), { target: { value: 'pw' } });
    fireEvent.click(screen.getByRole('button', { name: 'Change email' }));
    await waitFor(() => expect(onChanged).toHaveBeenCalled());
    expect(calls(fetchMock)).toEqual([
      {
        url: '/api/v1/me/email',
        method: 'POST',
        body: { email: 'new@example.com', current_password: 'pw' },
      },
    ]);
  });

  it('shows the pending address and cancels it', async () => {
    const fetchMock = vi.fn().mockResolvedValue(json(null, 204));
    vi.stubGlobal('fetch', fetchMock);
    const onChanged = vi.fn();
    render(
      <EmailChange email="old@example.com" pendingEmail="new@example.com" onChanged={onChanged} />,
    );
    expect(screen.getByTestId('email-pending')).toHaveTextContent('new@example.com');
    fireEvent.click(screen.getByRole('button', { name: 'Cancel change' }));
    await waitFor(() => expect(onChanged).toHaveBeenCalled());
    expect(calls(fetchMock)[0]).toMatchObject({ url: '/api/v1/me/email', method: 'DELETE' });
  });
});

describe('SignOutEverywhere', () => {
  it('confirms, revokes every session and goes to the login page', async () => {
    const fetchMock = vi.fn().mockResolvedValue(json(null, 204));
    vi.stubGlobal('fetch', fetchMock);
    render(<SignOutEverywhere />);
    fireEvent.click(screen.getByRole('button', { name: 'Sign out everywhere' }));
    expect(fetchMock).not.toHaveBeenCalled();
    fireEvent.click(screen.getByTestId('confirm'));
    await waitFor(() => expect(replace).toHaveBeenCalledWith('/login?signed_out=everywhere'));
    expect(calls(fetchMock)[0]).toMatchObject({ url: '/api/v1/auth/logout-all', method: 'POST' });
  });
});

const memberships = [
  {
    organization_id: 'o1',
    organization_name: 'Acme',
    organization_slug: 'acme-1',
    role: 'admin' as const,
  },
  {
    organization_id: 'o2',
    organization_name: 'Other',
    organization_slug: 'other-2',
    role: 'viewer' as const,
  },
];

describe('Organizations', () => {
  it('creates an organization and switches to it; admins rename the selected one', async () => {
    const fetchMock = vi
      .fn()
      .mockResolvedValueOnce(json({ id: 'o3', name: 'New Co', slug: 'new-co-1', role: 'admin' }))
      .mockResolvedValueOnce(json({ id: 'o1', name: 'Acme Inc', slug: 'acme-1', role: 'admin' }));
    vi.stubGlobal('fetch', fetchMock);
    const reloadMe = vi.fn().mockResolvedValue(undefined);
    const switchOrg = vi.fn();
    render(
      <Organizations
        memberships={memberships}
        selected={memberships[0]}
        reloadMe={reloadMe}
        switchOrg={switchOrg}
      />,
    );
    fireEvent.change(screen.getByLabelText('New organization'), { target: { value: ' New Co ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create organization' }));
    await waitFor(() => expect(switchOrg).toHaveBeenCalledWith('o3'));

    fireEvent.change(screen.getByLabelText('Rename this organization'), {
      target: { value: 'Acme Inc' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Rename' }));
    expect(await screen.findByText('Organization renamed.')).toBeInTheDocument();
    expect(calls(fetchMock)).toEqual([
      { url: '/api/v1/organizations', method: 'POST', body: { name: 'New Co' } },
      { url: '/api/v1/organization', method: 'PATCH', body: { name: 'Acme Inc' } },
    ]);
  });

  it('offers no rename to a viewer', () => {
    render(
      <Organizations
        memberships={memberships}
        selected={memberships[1]}
        reloadMe={vi.fn()}
        switchOrg={vi.fn()}
      />,
    );
    expect(screen.queryByLabelText('Rename this organization')).toBeNull();
    expect(screen.getByLabelText('New organization')).toBeInTheDocument();
  });
});

describe('OAuthButtons', () => {
  it('shows a button per configured provider', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn().mockResolvedValue(
        json({
          items: [
            { name: 'github', label: 'GitHub', start_url: '/api/v1/auth/oauth/github/start' },
          ],
        }),
      ),
    );
    render(<OAuthButtons />);
    const link = await screen.findByRole('link', { name: 'Continue with GitHub' });
    expect(link).toHaveAttribute('href', '/api/v1/auth/oauth/github/start');
  });

  it('shows nothing when no provider is configured', async () => {
    const fetchMock = vi.fn().mockResolvedValue(json({ items: [] }));
    vi.stubGlobal('fetch', fetchMock);
    const { container } = render(<OAuthButtons />);
    await waitFor(() => expect(fetchMock).toHaveBeenCalled());
    expect(container).toBeEmptyDOMElement();
  });
});

describe('ConfirmEmail', () => {
  it('sends the token once and shows the new address', async () => {
    const fetchMock = vi.fn().mockResolvedValue(json({ email: 'new@example.com' }));
    vi.stubGlobal('fetch', fetchMock);
    render(<ConfirmEmail />);
    expect(await screen.findByTestId('email-confirmed')).toHaveTextContent('new@example.com');
    expect(calls(fetchMock)).toEqual([
      { url: '/api/v1/auth/email/confirm', method: 'POST', body: { token: 'tec_abc' } },
    ]);
  });
});

describe('VerifyEmail', () => {
  it('sends the token once and says the address is verified', async () => {
    const fetchMock = vi
      .fn()
      .mockResolvedValue(
        json({ email: 'ada@example.com', email_verified_at: '2026-12-06T10:00:00Z' }),
      );
    vi.stubGlobal('fetch', fetchMock);
    render(<VerifyEmail />);
    expect(await screen.findByTestId('email-verified')).toHaveTextContent('ada@example.com');
    expect(calls(fetchMock)).toEqual([
      {
        url: '/api/v1/auth/email-verification/confirm',
        method: 'POST',
        body: { token: 'tec_abc' },
      },
    ]);
  });

  it("shows the API's refusal of a used or expired link", async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn().mockResolvedValue(
        json(
          {
            error: {
              code: 'email_verification_invalid',
              message: 'This verification link is invalid or has expired.',
            },
          },
          400,
        ),
      ),
    );
    render(<VerifyEmail />);
    expect(await screen.findByTestId('email-verify-failed')).toHaveTextContent('expired');
  });
});
