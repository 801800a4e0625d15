import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DeploymentControls, parseOrigins, parseSessionCap } from './deployments-section';

afterEach(() => vi.unstubAllGlobals());

const deployment = {
  id: 'd1',
  template_id: 't1',
  name: 'Website',
  embed_key: 'emb_1',
  allowed_origins: ['https://a.example'],
  enabled: true,
  require_server_start: false,
  max_concurrent_sessions: null,
  embed_url: 'http://x/embed/emb_1',
  standalone_url: 'http://x/s/emb_1',
  embed_snippet: '<iframe></iframe>',
  created_at: '2026-12-06T00:00:00Z',
  updated_at: '2026-12-06T00:00:00Z',
};
const PATH = '/session-templates/t1/deployments/d1';

function stubFetch() {
  const fetchMock = vi.fn().mockImplementation((_url: string, init?: RequestInit) =>
    Promise.resolve(
      new Response(init?.method === 'DELETE' ? null : JSON.stringify(deployment), {
        status: init?.method === 'DELETE' ? 204 : 200,
        headers: { 'content-type': 'application/json' },
      }),
    ),
  );
  vi.stubGlobal('fetch', fetchMock);
  return fetchMock;
}

function sent(fetchMock: ReturnType<typeof vi.fn>) {
  return fetchMock.mock.calls.map((args: unknown[]) => {
    const init = args[1] as RequestInit | undefined;
    return [
      init?.method ?? 'GET',
      String(args[0]),
      init?.body ? (JSON.parse(String(init.body)) as unknown) : undefined,
    ];
  });
}

/** The controls of the deployment over a stubbed API; the fetch mock and the change callback. */
function renderControls() {
  const fetchMock = stubFetch();
  const onChanged = vi.fn();
  render(
    <DeploymentControls
      deployment={deployment}
      path={PATH}
      onChanged={onChanged}
      onError={vi.fn()}
    />,
  );
  return { fetchMock, onChanged };
}

describe('parseOrigins', () => {
  it('splits on commas, spaces and lines, trims slashes and drops duplicates', () => {
    expect(parseOrigins(' https://a.example/, https://b.example\nhttps://a.example ')).toEqual([
      'https://a.example',
      'https://b.example',
    ]);
  });
});

describe('parseSessionCap', () => {
  it('takes empty as no cap and whole numbers from 1 to 100000', () => {
    expect(parseSessionCap('  ')).toEqual({ cap: null });
    expect(parseSessionCap(' 12 ')).toEqual({ cap: 12 });
    expect(parseSessionCap('100000')).toEqual({ cap: 100000 });
    for (const bad of ['0', '-3', '2.5', '1e3', 'ten', '100001']) {
      expect(parseSessionCap(bad), bad).toHaveProperty('error');
    }
  });
});

describe('DeploymentControls', () => {
  it('sets and removes the concurrent-session cap, refusing a bad value before sending', async () => {
    const { fetchMock, onChanged } = renderControls();
    expect(screen.getByTestId('deployment-cap')).toHaveTextContent('no cap');
    fireEvent.click(screen.getByRole('button', { name: 'Edit limit' }));
    const input = screen.getByLabelText('Max concurrent sessions');
    fireEvent.change(input, { target: { value: '0' } });
    expect(screen.getByText(/A whole number from 1 to 100,000/)).toBeInTheDocument();
    expect(input).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByRole('button', { name: 'Save limit' })).toBeDisabled();

    fireEvent.change(input, { target: { value: '5' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save limit' }));
    await waitFor(() => expect(onChanged).toHaveBeenCalledTimes(1));

    fireEvent.click(screen.getByRole('button', { name: 'Edit limit' }));
    fireEvent.change(screen.getByLabelText('Max concurrent sessions'), { target: { value: '' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save limit' }));
    await waitFor(() => expect(onChanged).toHaveBeenCalledTimes(2));
    expect(sent(fetchMock)).toEqual([
      ['PATCH', `/api/v1${PATH}`, { max_concurrent_sessions: 5 }],
      ['PATCH', `/api/v1${PATH}`, { max_concurrent_sessions: 0 }],
    ]);
  });

  it('edits the allowed origins', async () => {
    const { fetchMock, onChanged } = renderControls();
    fireEvent.click(screen.getByRole('button', { name: 'Edit origins' }));
    fireEvent.change(screen.getByLabelText('Allowed origins'), {
      target: { value: 'https://a.example, https://shop.example' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Save origins' }));
    await waitFor(() => expect(onChanged).toHaveBeenCalled());
    expect(sent(fetchMock)).toEqual([
      [
        'PATCH',
        `/api/v1${PATH}`,
        { allowed_origins: ['https://a.example', 'https://shop.example'] },
      ],
    ]);
  });

  it('rotates the key and deletes only after confirmation', async () => {
    const { fetchMock, onChanged } = renderControls();
    fireEvent.click(screen.getByRole('button', { name: 'Rotate key' }));
    expect(screen.getByRole('alertdialog', { name: 'Rotate the embed key?' })).toBeInTheDocument();
    expect(fetchMock).not.toHaveBeenCalled();
    fireEvent.click(screen.getByTestId('confirm'));
    await waitFor(() => expect(onChanged).toHaveBeenCalledTimes(1));

    fireEvent.click(screen.getByRole('button', { name: 'Delete' }));
    fireEvent.click(screen.getByTestId('confirm'));
    await waitFor(() => expect(onChanged).toHaveBeenCalledTimes(2));
    expect(sent(fetchMock)).toEqual([
      ['POST', `/api/v1${PATH}/rotate-key`, undefined],
      ['DELETE', `/api/v1${PATH}`, undefined],
    ]);
  });
});
