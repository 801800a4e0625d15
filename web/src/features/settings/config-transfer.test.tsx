import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigTransfer, reportLines } from './config-transfer';

afterEach(() => vi.unstubAllGlobals());

const empty = { tools: [], agents: [], agent_sets: [] };
const report = (dryRun: boolean) => ({
  dry_run: dryRun,
  valid: true,
  created: { ...empty, agents: ['ava', 'max'] },
  updated: { ...empty, tools: ['lookup'] },
  unchanged: empty,
  problems: [],
  warnings: [],
  invalidated: [],
});

function json(body: unknown) {
  return new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
}

describe('ConfigTransfer', () => {
  it('describes an import report', () => {
    expect(reportLines(report(true))).toEqual([
      'created: 2 agents (ava, max)',
      'updated: 1 tools (lookup)',
    ]);
  });

  it('checks an imported file with a dry run, then applies it', async () => {
    const fetchMock = vi
      .fn()
      .mockResolvedValueOnce(json(report(true)))
      .mockResolvedValueOnce(json(report(false)));
    vi.stubGlobal('fetch', fetchMock);
    render(<ConfigTransfer role="member" />);
    const document = { format: 'troupe.config', version: 1, ...empty };
    const file = new File([JSON.stringify(document)], 'config.json', {
      type: 'application/json',
    });
    fireEvent.change(screen.getByLabelText('Import a configuration file'), {
      target: { files: [file] },
    });
    expect(await screen.findByText('created: 2 agents (ava, max)')).toBeInTheDocument();
    expect(screen.getByTestId('import-report')).toHaveTextContent('nothing written yet');
    fireEvent.click(screen.getByRole('button', { name: 'Apply import' }));
    expect(await screen.findByText('The configuration was imported.')).toBeInTheDocument();
    const urls = fetchMock.mock.calls.map((c: unknown[]) => String(c[0]));
    expect(urls).toEqual(['/api/v1/import?dry_run=true', '/api/v1/import']);
    const body = (fetchMock.mock.calls[1]?.[1] as RequestInit).body;
    expect(JSON.parse(String(body))).toEqual(document);
  });

  it('offers viewers the export only', async () => {
    render(<ConfigTransfer role="viewer" />);
    expect(screen.queryByLabelText('Import a configuration file')).toBeNull();
    expect(screen.queryByLabelText('Include secret headers')).toBeNull();
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Export configuration' })).toBeEnabled(),
    );
  });
});
