import { fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';

const session = vi.hoisted(() => ({
  user: { email: 'new@example.com', email_verified_at: null as string | null },
  reloadMe: vi.fn(),
}));
vi.mock('@/components/auth/session-provider', () => ({
  useSession: () => ({ me: { user: session.user }, reloadMe: session.reloadMe }),
}));

const { VerifyEmailBanner } = await import('./verify-email-banner');

afterEach(() => {
  vi.unstubAllGlobals();
  session.user.email_verified_at = null;
  session.reloadMe.mockReset();
});

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

describe('VerifyEmailBanner', () => {
  it('is absent once the address is verified', () => {
    session.user.email_verified_at = '2026-12-06T10:00:00Z';
    const { container } = render(<VerifyEmailBanner />);
    expect(container).toBeEmptyDOMElement();
  });

  it('names the address and mails a new link', async () => {
    const fetchMock = vi.fn().mockResolvedValue(json({ sent: true }, 202));
    vi.stubGlobal('fetch', fetchMock);
    render(<VerifyEmailBanner />);
    expect(screen.getByTestId('verify-email-banner')).toHaveTextContent('new@example.com');
    fireEvent.click(screen.getByTestId('verify-email-resend'));
    expect(await screen.findByTestId('verify-email-sent')).toBeVisible();
    expect(String(fetchMock.mock.calls[0]?.[0])).toBe('/api/v1/auth/email-verification');
    expect((fetchMock.mock.calls[0]?.[1] as RequestInit).method).toBe('POST');
  });

  it("shows the API's refusal (rate limit)", async () => {
    vi.stubGlobal(
      'fetch',
      vi
        .fn()
        .mockResolvedValue(
          json(
            { error: { code: 'rate_limited', message: 'Too many requests; retry later.' } },
            429,
          ),
        ),
    );
    render(<VerifyEmailBanner />);
    fireEvent.click(screen.getByTestId('verify-email-resend'));
    expect(await screen.findByTestId('verify-email-error')).toHaveTextContent('Too many');
  });

  it('reloads the account when the API says it is already verified', async () => {
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(json({ sent: false }, 202)));
    render(<VerifyEmailBanner />);
    fireEvent.click(screen.getByTestId('verify-email-resend'));
    await vi.waitFor(() => expect(session.reloadMe).toHaveBeenCalledOnce());
  });
});
