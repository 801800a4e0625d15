import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TestSessionButton, TestTemplateButton } from './test-template-button';

afterEach(() => vi.unstubAllGlobals());

function stubSessions(status = 200) {
  const body =
    status === 200
      ? { connection: { session_id: 'sess 1' } }
      : { error: { code: 'quota_exceeded', message: 'No sessions left this month.' } };
  const fetchMock = vi.fn().mockResolvedValue(
    new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json' },
    }),
  );
  vi.stubGlobal('fetch', fetchMock);
  return fetchMock;
}

describe('Test session buttons', () => {
  it('starts a session of the template and links to it when the browser blocks the tab', async () => {
    const fetchMock = stubSessions();
    vi.stubGlobal('open', vi.fn().mockReturnValue(null));
    render(<TestTemplateButton templateId="t1" />);
    fireEvent.click(screen.getByTestId('test-template'));
    const link = await screen.findByTestId('open-test-session');
    expect(link.getAttribute('href')).toBe('/s/sess%201');
    const [url, init] = fetchMock.mock.calls[0] as [string, RequestInit];
    expect(url).toMatch(/\/sessions$/);
    expect(JSON.parse(String(init.body))).toEqual({ template_id: 't1' });
  });

  it('waits for the template it is given, and shows no link when the tab opened', async () => {
    const fetchMock = stubSessions();
    const open = vi.fn().mockReturnValue({});
    vi.stubGlobal('open', open);
    render(
      <TestSessionButton label="Test this agent" testId="test-agent" template={async () => 't9'} />,
    );
    fireEvent.click(screen.getByText('Test this agent'));
    await waitFor(() => expect(open).toHaveBeenCalledWith('/s/sess%201', '_blank'));
    const init = fetchMock.mock.calls[0]![1] as RequestInit;
    expect(JSON.parse(String(init.body))).toEqual({ template_id: 't9' });
    expect(screen.queryByTestId('open-test-session')).toBeNull();
  });

  it('shows the error when the template cannot be made', async () => {
    stubSessions();
    render(
      <TestSessionButton
        label="Test this agent"
        testId="test-agent"
        template={() => Promise.reject(new Error('The agent set could not be saved.'))}
      />,
    );
    fireEvent.click(screen.getByTestId('test-agent'));
    expect(await screen.findByText(/could not be saved/)).toBeTruthy();
    expect((screen.getByTestId('test-agent') as HTMLButtonElement).disabled).toBe(false);
  });
});

describe('Test this template with session variables', () => {
  it('asks for the declared variables first and starts with their typed values', async () => {
    const fetchMock = stubSessions();
    vi.stubGlobal('open', vi.fn().mockReturnValue({}));
    render(
      <TestTemplateButton
        templateId="t1"
        variables={[
          { name: 'customer_name', type: 'string', required: true, default: null, description: '' },
          { name: 'seats', type: 'integer', required: false, default: 2, description: '' },
          { name: 'vip', type: 'boolean', required: false, default: false, description: '' },
          { name: 'note', type: 'string', required: false, default: null, description: '' },
        ]}
      />,
    );
    fireEvent.click(screen.getByTestId('test-template'));
    expect(fetchMock).not.toHaveBeenCalled(); // the form comes first
    fireEvent.change(screen.getByTestId('test-variable-customer_name'), {
      target: { value: 'Sam' },
    });
    fireEvent.click(screen.getByTestId('test-variable-vip'));
    fireEvent.click(screen.getByTestId('test-template-start'));
    await waitFor(() => expect(fetchMock).toHaveBeenCalled());
    const init = fetchMock.mock.calls[0]![1] as RequestInit;
    expect(JSON.parse(String(init.body))).toEqual({
      template_id: 't1',
      variables: { customer_name: 'Sam', seats: 2, vip: true },
    });
  });
});
