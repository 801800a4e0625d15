import { fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KnowledgeBasesField } from './knowledge-bases-field';

afterEach(() => vi.unstubAllGlobals());

const BASES = {
  items: [
    {
      id: 'kb-1',
      name: 'Handbook',
      description: '',
      embedding_model: 'all-MiniLM-L6-v2',
      documents: 2,
      created_at: '2026-12-06T00:00:00Z',
    },
    {
      id: 'kb-2',
      name: 'Price list',
      description: '',
      embedding_model: 'all-MiniLM-L6-v2',
      documents: 1,
      created_at: '2026-12-06T00:00:00Z',
    },
  ],
};

describe('KnowledgeBasesField', () => {
  it("offers the organization's knowledge bases and the retrieval budget once one is chosen", async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn().mockImplementation(() =>
        Promise.resolve(
          new Response(JSON.stringify(BASES), {
            status: 200,
            headers: { 'content-type': 'application/json' },
          }),
        ),
      ),
    );
    const onChange = vi.fn();
    const { rerender } = render(
      <KnowledgeBasesField
        value={[]}
        autoTokens={0}
        onChange={onChange}
        onAutoTokensChange={() => {}}
      />,
    );
    fireEvent.click(await screen.findByLabelText('Price list'));
    expect(onChange).toHaveBeenCalledWith(['kb-2']);
    expect(screen.queryByLabelText(/Automatic retrieval/)).toBeNull();

    const onTokens = vi.fn();
    rerender(
      <KnowledgeBasesField
        value={['kb-2']}
        autoTokens={0}
        onChange={onChange}
        onAutoTokensChange={onTokens}
      />,
    );
    fireEvent.change(screen.getByLabelText(/Automatic retrieval/), { target: { value: '300' } });
    expect(onTokens).toHaveBeenCalledWith(300);
  });
});
