import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AVATAR_MAX_BYTES } from '@/contracts';
import { AgentAvatarCard, avatarFileProblem } from './agent-avatar';

const AGENT = { id: 'agent-1', name: 'Ava', avatar_url: null };
const SAVED_URL = '/api/v1/avatars/ssssssssssssssssssssssssssssssss';

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

function png(size = 100, type = 'image/png', name = 'face.png'): File {
  return new File([new Uint8Array(size)], name, { type });
}

function choose(file: File) {
  fireEvent.change(screen.getByTestId('avatar-input'), { target: { files: [file] } });
}

beforeEach(() => {
  let n = 0;
  vi.stubGlobal('URL', Object.assign(URL, { createObjectURL: () => `blob:preview-${++n}` }));
  URL.revokeObjectURL = vi.fn();
});
afterEach(() => vi.unstubAllGlobals());

describe('avatarFileProblem', () => {
  it('accepts PNG, JPEG and WebP up to the limit only', () => {
    expect(avatarFileProblem({ type: 'image/png', size: 10 })).toBeNull();
    expect(avatarFileProblem({ type: 'image/webp', size: AVATAR_MAX_BYTES })).toBeNull();
    expect(avatarFileProblem({ type: 'image/gif', size: 10 })).toMatch(/PNG, JPEG or WebP/);
    expect(avatarFileProblem({ type: 'image/svg+xml', size: 10 })).toMatch(/PNG, JPEG or WebP/);
    expect(avatarFileProblem({ type: 'image/jpeg', size: AVATAR_MAX_BYTES + 1 })).toMatch(
      /larger than 1 MB/,
    );
    expect(avatarFileProblem({ type: 'image/png', size: 0 })).toMatch(/empty/);
  });
});

describe('AgentAvatarCard', () => {
  it('refuses a wrong file before any upload', () => {
    const fetchImpl = vi.fn();
    render(<AgentAvatarCard agent={AGENT} onChanged={vi.fn()} fetchImpl={fetchImpl} />);
    expect(screen.getByTestId('avatar-frame').textContent).toBe('A');
    choose(new File(['GIF89a'], 'x.gif', { type: 'image/gif' }));
    expect(screen.getByRole('alert').textContent).toMatch(/PNG, JPEG or WebP/);
    choose(png(AVATAR_MAX_BYTES + 1));
    expect(screen.getByRole('alert').textContent).toMatch(/larger than 1 MB/);
    expect(screen.queryByTestId('avatar-upload')).toBeNull();
    expect(fetchImpl).not.toHaveBeenCalled();
  });

  it('previews, uploads the bytes with a PUT, then shows the saved avatar', async () => {
    const saved = { ...AGENT, avatar_url: SAVED_URL };
    const fetchImpl = vi.fn().mockResolvedValue(json(saved));
    const onChanged = vi.fn();
    render(<AgentAvatarCard agent={AGENT} onChanged={onChanged} fetchImpl={fetchImpl} />);
    const file = png();
    choose(file);
    const preview = screen.getByTestId('avatar-preview');
    expect(preview.getAttribute('src')).toMatch(/^blob:preview-/);
    expect(preview.getAttribute('alt')).toMatch(/New avatar for Ava/);
    fireEvent.click(screen.getByTestId('avatar-upload'));
    await waitFor(() => expect(onChanged).toHaveBeenCalledWith(saved));
    const [url, init] = fetchImpl.mock.calls[0]! as [string, RequestInit];
    expect(url).toBe('/api/v1/agents/agent-1/avatar');
    expect(init.method).toBe('PUT');
    expect(init.body).toBe(file);
    expect(new Headers(init.headers).get('content-type')).toBe('image/png');
    const current = screen.getByRole('img', { name: 'Ava' });
    expect(current.getAttribute('src')).toBe(SAVED_URL);
    expect(screen.getByTestId('avatar-remove')).toBeTruthy();
  });

  it('shows the API’s refusal in plain words', async () => {
    const fetchImpl = vi.fn().mockResolvedValue(
      json(
        {
          error: {
            code: 'avatar_invalid',
            message: 'The avatar must be a PNG, JPEG or WebP image.',
            details: { reason: 'dimensions' },
          },
        },
        400,
      ),
    );
    const onChanged = vi.fn();
    render(<AgentAvatarCard agent={AGENT} onChanged={onChanged} fetchImpl={fetchImpl} />);
    choose(png());
    fireEvent.click(screen.getByTestId('avatar-upload'));
    expect((await screen.findByTestId('avatar-error')).textContent).toMatch(/16 to 4096 pixels/);
    expect(onChanged).not.toHaveBeenCalled();

    fetchImpl.mockResolvedValue(
      json({ error: { code: 'payload_too_large', message: 'too large' } }, 413),
    );
    fireEvent.click(screen.getByTestId('avatar-upload'));
    await waitFor(() =>
      expect(screen.getByTestId('avatar-error').textContent).toMatch(/larger than 1 MB/),
    );
  });

  it('removes the avatar with a DELETE and falls back to the initial', async () => {
    const fetchImpl = vi.fn().mockResolvedValue(json({ ...AGENT, avatar_url: null }));
    const onChanged = vi.fn();
    render(
      <AgentAvatarCard
        agent={{ ...AGENT, avatar_url: SAVED_URL }}
        onChanged={onChanged}
        fetchImpl={fetchImpl}
      />,
    );
    expect(screen.getByRole('img', { name: 'Ava' })).toBeTruthy();
    expect(screen.getByText('Replace the image')).toBeTruthy();
    fireEvent.click(screen.getByTestId('avatar-remove'));
    await waitFor(() => expect(onChanged).toHaveBeenCalled());
    const [url, init] = fetchImpl.mock.calls[0]! as [string, RequestInit];
    expect(url).toBe('/api/v1/agents/agent-1/avatar');
    expect(init.method).toBe('DELETE');
    expect(screen.queryByRole('img')).toBeNull();
    expect(screen.getByTestId('avatar-frame').textContent).toBe('A');
  });
});
