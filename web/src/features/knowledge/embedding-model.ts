import { ApiError } from '@/lib/api/api-error';
import type { ProviderKeyRead } from '@/features/providers/provider-keys';

/**
 * The embedding model of a knowledge base, as the API names it (`KnowledgeBaseCreate.
 * embedding_model`, parsed by `troupe_api.knowledge.embedding.ModelRef`):
 * `all-MiniLM-L6-v2` (offline, the default), `openai/<model>[@<dimensions>]` (the
 * organization's OpenAI key) or `openai-compatible/<model>[@<dimensions>]` (its
 * OpenAI-compatible server). The API has no route that changes a knowledge base's model, so it
 * is chosen when the knowledge base is created.
 */

export const LOCAL_MODEL = 'all-MiniLM-L6-v2';
export const LOCAL_DIMENSIONS = 384;

export type EmbeddingProvider = 'local' | 'openai' | 'openai-compatible';

export interface OpenAIEmbeddingModel {
  model: string;
  /** The model's full vector size. */
  native: number;
  /** Sizes the model can be asked for (text-embedding-3 shortens its vectors; ada-002 cannot). */
  sizes: number[];
}

/** OpenAI's embedding models. 384 is what the API asks text-embedding-3 for by default. */
export const OPENAI_MODELS: OpenAIEmbeddingModel[] = [
  { model: 'text-embedding-3-small', native: 1536, sizes: [384, 768, 1024, 1536] },
  { model: 'text-embedding-3-large', native: 3072, sizes: [384, 768, 1024, 1536, 3072] },
  { model: 'text-embedding-ada-002', native: 1536, sizes: [1536] },
];

/** Vector sizes the database searches through an HNSW index (others are compared exactly). */
export const INDEXED_SIZES = [384, 768, 1024, 1536, 3072];

export interface EmbeddingChoice {
  provider: EmbeddingProvider;
  /** OpenAI: one of {@link OPENAI_MODELS}. */
  openaiModel: string;
  /** OpenAI: the size asked for, as a string (select value). */
  openaiSize: string;
  /** OpenAI-compatible: the model name the server knows (e.g. `nomic-embed-text`). */
  compatibleModel: string;
  /** OpenAI-compatible: the size asked for, empty for the server's own. */
  compatibleSize: string;
}

export const DEFAULT_CHOICE: EmbeddingChoice = {
  provider: 'local',
  openaiModel: 'text-embedding-3-small',
  openaiSize: '384',
  compatibleModel: '',
  compatibleSize: '',
};

const MODEL_NAME = /^[A-Za-z0-9._:-]{1,100}$/;

export function openaiModel(model: string): OpenAIEmbeddingModel {
  return OPENAI_MODELS.find((m) => m.model === model) ?? OPENAI_MODELS[0]!;
}

/** The choice with the OpenAI model changed, its size kept when the new model offers it. */
export function withOpenAIModel(choice: EmbeddingChoice, model: string): EmbeddingChoice {
  const sizes = openaiModel(model).sizes;
  const size = Number(choice.openaiSize);
  return {
    ...choice,
    openaiModel: model,
    openaiSize: String(sizes.includes(size) ? size : sizes[0]),
  };
}

/** The API's model name for the choice, or the problem with it (shown under the field). */
export function embeddingModelName(
  choice: EmbeddingChoice,
): { name: string; problem?: undefined } | { name?: undefined; problem: string } {
  if (choice.provider === 'local') return { name: LOCAL_MODEL };
  if (choice.provider === 'openai') {
    const spec = openaiModel(choice.openaiModel);
    const size = Number(choice.openaiSize);
    if (!spec.sizes.includes(size)) {
      return { problem: `${spec.model} gives vectors of ${spec.sizes.join(', ')} dimensions.` };
    }
    // ada-002 has one size and takes no `dimensions` parameter: no suffix.
    return {
      name: spec.sizes.length === 1 ? `openai/${spec.model}` : `openai/${spec.model}@${size}`,
    };
  }
  const model = choice.compatibleModel.trim();
  if (!model) return { problem: 'Enter the model name your server serves.' };
  if (!MODEL_NAME.test(model)) {
    return {
      problem: 'A model name has at most 100 letters, digits and the characters . _ : -',
    };
  }
  const sizeText = choice.compatibleSize.trim();
  if (!sizeText) return { name: `openai-compatible/${model}` };
  const size = Number(sizeText);
  if (!Number.isInteger(size) || size < 1 || size > 16000) {
    return { problem: 'Dimensions are a whole number from 1 to 16000, or empty.' };
  }
  return { name: `openai-compatible/${model}@${size}` };
}

export interface ModelDescription {
  /** Who computes the vectors. */
  provider: string;
  model: string;
  /** The vector size when the name says it. */
  dimensions: number | null;
}

/** A stored model name in words, for the list and the detail page. */
export function describeEmbeddingModel(name: string): ModelDescription {
  if (name === LOCAL_MODEL) {
    return { provider: 'Offline', model: LOCAL_MODEL, dimensions: LOCAL_DIMENSIONS };
  }
  const slash = name.indexOf('/');
  const provider = slash > 0 ? name.slice(0, slash) : '';
  const [model = name, size] = name.slice(slash + 1).split('@');
  const dimensions = size
    ? Number(size)
    : provider === 'openai'
      ? (OPENAI_MODELS.find((m) => m.model === model)?.native ?? null)
      : null;
  const label =
    provider === 'openai'
      ? 'OpenAI'
      : provider === 'openai-compatible'
        ? 'OpenAI-compatible server'
        : provider || 'Unknown';
  return { provider: label, model, dimensions };
}

export function embeddingModelLabel(name: string): string {
  const d = describeEmbeddingModel(name);
  const size = d.dimensions ? `, ${d.dimensions} dimensions` : '';
  return `${d.model} (${d.provider}${size})`;
}

export type KeyState = 'not-needed' | 'configured' | 'missing' | 'unknown';

/**
 * Whether the organization saved the key the choice needs. `keys` is the provider-key list,
 * or null when it could not be read (only admins may read it): then the API's answer decides.
 */
export function keyState(
  provider: EmbeddingProvider,
  keys: ProviderKeyRead[] | null | undefined,
): KeyState {
  if (provider === 'local') return 'not-needed';
  if (!keys) return 'unknown';
  return keys.some((k) => k.provider === provider && k.configured) ? 'configured' : 'missing';
}

const PROVIDER_WORDS: Record<string, string> = {
  openai: 'OpenAI',
  'openai-compatible': 'OpenAI-compatible server',
};

function providerOf(error: ApiError): string {
  const details = error.details as { provider?: string; embedding_model?: string } | undefined;
  const provider = details?.provider ?? details?.embedding_model?.split('/')[0] ?? '';
  return PROVIDER_WORDS[provider] ?? 'embedding provider';
}

/**
 * The API's embedding errors in words for the form; null for any other error (the form shows
 * the API's own message).
 */
export function embeddingErrorText(error: unknown): string | null {
  if (!(error instanceof ApiError)) return null;
  switch (error.code) {
    case 'embedding_provider_key_missing':
      return `The organization has no ${providerOf(error)} key saved (or its server has no base URL). An admin can add it under Provider keys; or choose the offline model.`;
    case 'embedding_provider_key_invalid':
      return `The ${providerOf(error)} refused the organization's key. Check the key under Provider keys, or choose another model.`;
    case 'embedding_provider_unavailable':
      return `The ${providerOf(error)} did not embed a test sentence: ${error.message} Check that the server is up and serves this model, then try again.`;
    case 'embedding_model_unsupported':
      return 'This embedding model name is not supported: choose the offline model, an OpenAI model, or a model of your OpenAI-compatible server (letters, digits and . _ : - only).';
    default:
      return null;
  }
}
