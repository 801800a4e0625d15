import { fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { ApiError } from '@/lib/api/api-error';
import type { ProviderKeyRead } from '@/features/providers/provider-keys';
import { EmbeddingModelField } from './embedding-model-field';
import {
  DEFAULT_CHOICE,
  describeEmbeddingModel,
  embeddingErrorText,
  embeddingModelLabel,
  embeddingModelName,
  keyState,
  withOpenAIModel,
  type EmbeddingChoice,
} from './embedding-model';

const KEYS: ProviderKeyRead[] = [
  { provider: 'openai', configured: true, hint: 'abcd' },
  { provider: 'openai-compatible', configured: false },
];

describe('embeddingModelName', () => {
  it('names the offline model by default', () => {
    expect(embeddingModelName(DEFAULT_CHOICE)).toEqual({ name: 'all-MiniLM-L6-v2' });
  });

  it('names an OpenAI model with the size asked for, ada-002 without one', () => {
    const openai: EmbeddingChoice = { ...DEFAULT_CHOICE, provider: 'openai' };
    expect(embeddingModelName(openai).name).toBe('openai/text-embedding-3-small@384');
    expect(embeddingModelName({ ...openai, openaiSize: '1536' }).name).toBe(
      'openai/text-embedding-3-small@1536',
    );
    const large = withOpenAIModel({ ...openai, openaiSize: '1536' }, 'text-embedding-3-large');
    expect(large.openaiSize).toBe('1536');
    expect(embeddingModelName({ ...large, openaiSize: '3072' }).name).toBe(
      'openai/text-embedding-3-large@3072',
    );
    const ada = withOpenAIModel(openai, 'text-embedding-ada-002');
    expect(ada.openaiSize).toBe('1536');
    expect(embeddingModelName(ada).name).toBe('openai/text-embedding-ada-002');
    expect(embeddingModelName({ ...openai, openaiSize: '3072' }).problem).toMatch(/1536/);
  });

  it("names an OpenAI-compatible server's model and refuses bad names and sizes", () => {
    const compat: EmbeddingChoice = { ...DEFAULT_CHOICE, provider: 'openai-compatible' };
    expect(embeddingModelName(compat).problem).toMatch(/model name/);
    expect(embeddingModelName({ ...compat, compatibleModel: ' nomic-embed-text ' }).name).toBe(
      'openai-compatible/nomic-embed-text',
    );
    expect(
      embeddingModelName({ ...compat, compatibleModel: 'bge-m3:q8', compatibleSize: '1024' }).name,
    ).toBe('openai-compatible/bge-m3:q8@1024');
    expect(embeddingModelName({ ...compat, compatibleModel: 'a/b' }).problem).toBeTruthy();
    expect(
      embeddingModelName({ ...compat, compatibleModel: 'm', compatibleSize: '0' }).problem,
    ).toMatch(/1 to 16000/);
    expect(
      embeddingModelName({ ...compat, compatibleModel: 'm', compatibleSize: '12.5' }).problem,
    ).toBeTruthy();
  });
});

describe('describeEmbeddingModel', () => {
  it('says who embeds and the vector size', () => {
    expect(embeddingModelLabel('all-MiniLM-L6-v2')).toBe(
      'all-MiniLM-L6-v2 (Offline, 384 dimensions)',
    );
    expect(embeddingModelLabel('openai/text-embedding-3-small@384')).toBe(
      'text-embedding-3-small (OpenAI, 384 dimensions)',
    );
    expect(describeEmbeddingModel('openai/text-embedding-ada-002').dimensions).toBe(1536);
    expect(embeddingModelLabel('openai-compatible/nomic-embed-text')).toBe(
      'nomic-embed-text (OpenAI-compatible server)',
    );
  });
});

describe('keyState', () => {
  it('needs no key offline, and reads the list when the member may read it', () => {
    expect(keyState('local', null)).toBe('not-needed');
    expect(keyState('openai', KEYS)).toBe('configured');
    expect(keyState('openai-compatible', KEYS)).toBe('missing');
    expect(keyState('openai', null)).toBe('unknown');
  });
});

describe('embeddingErrorText', () => {
  it("puts the API's embedding error codes in words", () => {
    const missing = new ApiError(422, 'embedding_provider_key_missing', 'x', {
      provider: 'openai-compatible',
    });
    expect(embeddingErrorText(missing)).toMatch(/no OpenAI-compatible server key saved/);
    expect(
      embeddingErrorText(
        new ApiError(422, 'embedding_provider_key_invalid', 'x', {
          embedding_model: 'openai/text-embedding-3-small@384',
        }),
      ),
    ).toMatch(/OpenAI refused the organization's key/);
    expect(
      embeddingErrorText(
        new ApiError(502, 'embedding_provider_unavailable', 'The server could not be reached.', {
          embedding_model: 'openai-compatible/m',
        }),
      ),
    ).toMatch(/did not embed a test sentence: The server could not be reached\./);
    expect(embeddingErrorText(new ApiError(422, 'embedding_model_unsupported', 'x'))).toMatch(
      /not supported/,
    );
    expect(embeddingErrorText(new ApiError(409, 'knowledge_base_name_taken', 'x'))).toBeNull();
    expect(embeddingErrorText(new Error('boom'))).toBeNull();
  });
});

function Harness({ keys }: { keys: ProviderKeyRead[] | null }) {
  const [value, setValue] = useState<EmbeddingChoice>(DEFAULT_CHOICE);
  return (
    <>
      <EmbeddingModelField
        value={value}
        onChange={setValue}
        keys={keys}
        problem={embeddingModelName(value).problem}
      />
      <output data-testid="name">{embeddingModelName(value).name ?? ''}</output>
    </>
  );
}

describe('EmbeddingModelField', () => {
  it('offers the offline model first and the OpenAI sizes of the chosen model', () => {
    render(<Harness keys={KEYS} />);
    expect(screen.getByTestId('name').textContent).toBe('all-MiniLM-L6-v2');
    expect(screen.getByText(/Chosen once, when the knowledge base is created/)).toBeTruthy();
    fireEvent.change(screen.getByTestId('kb-embedding-provider'), {
      target: { value: 'openai' },
    });
    expect(screen.getByTestId('kb-embedding-key').textContent).toMatch(/key ending in …abcd/);
    fireEvent.change(screen.getByTestId('kb-embedding-openai-model'), {
      target: { value: 'text-embedding-3-large' },
    });
    fireEvent.change(screen.getByTestId('kb-embedding-openai-size'), {
      target: { value: '3072' },
    });
    expect(screen.getByTestId('name').textContent).toBe('openai/text-embedding-3-large@3072');
  });

  it('says when the key is missing and shows a bad model name under the field', () => {
    render(<Harness keys={KEYS} />);
    fireEvent.change(screen.getByTestId('kb-embedding-provider'), {
      target: { value: 'openai-compatible' },
    });
    expect(screen.getByTestId('kb-embedding-key').textContent).toMatch(
      /no OpenAI-compatible server saved yet/,
    );
    expect(screen.getByRole('alert').textContent).toMatch(/Enter the model name/);
    fireEvent.change(screen.getByTestId('kb-embedding-compatible-model'), {
      target: { value: 'nomic-embed-text' },
    });
    fireEvent.change(screen.getByTestId('kb-embedding-compatible-size'), {
      target: { value: '768' },
    });
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.getByTestId('name').textContent).toBe('openai-compatible/nomic-embed-text@768');
  });

  it("leaves the key check to the API when the member cannot read the organization's keys", () => {
    render(<Harness keys={null} />);
    fireEvent.change(screen.getByTestId('kb-embedding-provider'), {
      target: { value: 'openai' },
    });
    expect(screen.getByTestId('kb-embedding-key').textContent).toMatch(/an admin saves it/);
  });
});
