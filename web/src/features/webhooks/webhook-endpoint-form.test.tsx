import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '@/lib/api/api-error';
import { WebhookEndpointForm } from './webhook-endpoint-form';

describe('WebhookEndpointForm', () => {
  it('blocks an invalid URL, then submits the trimmed values', async () => {
    const onSubmit = vi.fn().mockResolvedValue(undefined);
    render(<WebhookEndpointForm submitLabel="Create endpoint" onSubmit={onSubmit} />);
    fireEvent.change(screen.getByLabelText('Endpoint URL'), { target: { value: 'not a url' } });
    fireEvent.click(screen.getByTestId('save-endpoint'));
    expect(await screen.findByText('Use an absolute http(s) URL.')).toBeInTheDocument();
    expect(onSubmit).not.toHaveBeenCalled();

    fireEvent.change(screen.getByLabelText('Endpoint URL'), {
      target: { value: ' https://example.com/events ' },
    });
    fireEvent.click(screen.getByLabelText('analysis.completed'));
    fireEvent.click(screen.getByTestId('save-endpoint'));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1));
    expect(onSubmit).toHaveBeenCalledWith({
      url: 'https://example.com/events',
      description: '',
      events: ['session.started', 'session.ended', 'usage.alert'],
      enabled: true,
    });
  });

  it('shows the API error envelope', async () => {
    const onSubmit = vi
      .fn()
      .mockRejectedValue(new ApiError(422, 'validation_failed', 'The URL host is not allowed.'));
    render(<WebhookEndpointForm submitLabel="Create endpoint" onSubmit={onSubmit} />);
    fireEvent.change(screen.getByLabelText('Endpoint URL'), {
      target: { value: 'https://example.com/x' },
    });
    fireEvent.click(screen.getByTestId('save-endpoint'));
    expect(await screen.findByText('The URL host is not allowed.')).toBeInTheDocument();
  });
});
