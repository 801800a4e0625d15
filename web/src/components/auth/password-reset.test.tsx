import { fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';

let search = 'token=tpr_abc';
vi.mock('next/navigation', () => ({
  useRouter: () => ({ replace: vi.fn(), push: vi.fn() }),
  useSearchParams: () => new URLSearchParams(search),
}));

import { AuthForm } from './auth-form';
import { ForgotPasswordForm, ResetPasswordForm, validateNewPassword } from './password-reset';

afterEach(() => {
  vi.unstubAllGlobals();
  search = 'token=tpr_abc';
});

function reply(body: unknown, status: number): Response {
  return new Response(body === null ? null : JSON.stringify(body), {
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

function type(label: string, value: string) {
  fireEvent.change(screen.getByLabelText(label), { target: { value } });
}

describe('forgot password', () => {
  it('the login page links to it', () => {
    render(<AuthForm mode="login" />);
    expect(screen.getByTestId('forgot-password-link')).toHaveAttribute('href', '/forgot-password');
  });

  it('validates, asks for a link and never says whether the account exists', async () => {
    const fetchMock = vi.fn().mockResolvedValue(reply(null, 202));
    vi.stubGlobal('fetch', fetchMock);
    render(<ForgotPasswordForm />);
    type('Work email', 'not-an-address');
    fireEvent.click(screen.getByRole('button', { name: 'Send reset link' }));
    expect(screen.getByText('Enter a valid email address.')).toBeInTheDocument();
    expect(fetchMock).not.toHaveBeenCalled();

    type('Work email', 'me@example.com');
    fireEvent.click(screen.getByRole('button', { name: 'Send reset link' }));
    expect(await screen.findByTestId('reset-requested')).toHaveTextContent(
      'If an account exists for me@example.com, we sent it a link',
    );
    expect(calls(fetchMock)).toEqual([
      { url: '/api/v1/auth/password-reset', method: 'POST', body: { email: 'me@example.com' } },
    ]);
  });
});

describe('reset password', () => {
  it('checks the new password twice before sending', () => {
    expect(validateNewPassword('short', 'short')).toEqual({
      password: 'Use at least 10 characters.',
    });
    expect(validateNewPassword('long enough pw', 'other one')).toEqual({
      confirm: 'The passwords do not match.',
    });
    expect(validateNewPassword('long enough pw', 'long enough pw')).toEqual({});
  });

  it('sends the token with the new password, then offers to sign in', async () => {
    const fetchMock = vi.fn().mockResolvedValue(reply(null, 204));
    vi.stubGlobal('fetch', fetchMock);
    render(<ResetPasswordForm />);
    type('New password', 'a brand new password');
    type('Confirm new password', 'a different password');
    fireEvent.click(screen.getByRole('button', { name: 'Set new password' }));
    expect(screen.getByText('The passwords do not match.')).toBeInTheDocument();
    expect(fetchMock).not.toHaveBeenCalled();

    type('Confirm new password', 'a brand new password');
    fireEvent.click(screen.getByRole('button', { name: 'Set new password' }));
    expect(await screen.findByTestId('password-reset-done')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: /Sign in/ })).toHaveAttribute('href', '/login');
    expect(calls(fetchMock)).toEqual([
      {
        url: '/api/v1/auth/password-reset/confirm',
        method: 'POST',
        body: { token: 'tpr_abc', password: 'a brand new password' },
      },
    ]);
  });

  it('shows the API error for a used or expired link', async () => {
    const error = {
      error: { code: 'password_reset_invalid', message: 'This password reset link is not valid.' },
    };
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(reply(error, 400)));
    render(<ResetPasswordForm />);
    type('New password', 'a brand new password');
    type('Confirm new password', 'a brand new password');
    fireEvent.click(screen.getByRole('button', { name: 'Set new password' }));
    expect(await screen.findByTestId('reset-error')).toHaveTextContent(
      'This password reset link is not valid.',
    );
  });

  it('says so when the link has no token', () => {
    search = '';
    render(<ResetPasswordForm />);
    expect(screen.getByTestId('reset-error')).toHaveTextContent('This link has no token.');
  });
});
