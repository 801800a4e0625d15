import { fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiKeyForm } from './api-key-form';

afterEach(() => vi.unstubAllGlobals());

describe('ApiKeyForm', () => {
  it('validates before calling the API', async () => {
    const fetchMock = vi.fn();
    vi.stubGlobal('fetch', fetchMock);
    render(<ApiKeyForm onCreated={vi.fn()} />);
    fireEvent.click(screen.getByLabelText('sessions:write')); // the only default scope: now none
    fireEvent.click(screen.getByTestId('create-api-key'));
    expect(await screen.findByText('Name the key after what uses it.')).toBeInTheDocument();
    expect(screen.getByText('Pick at least one scope.')).toBeInTheDocument();
    expect(fetchMock).not.toHaveBeenCalled();
  });
});
