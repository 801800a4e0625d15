'use client';

import Link from 'next/link';
import { SelectField, TextField, dash } from '@/components/ui/kit';
import type { ProviderKeyRead } from '@/features/providers/provider-keys';
import {
  LOCAL_MODEL,
  OPENAI_MODELS,
  keyState,
  openaiModel,
  withOpenAIModel,
  type EmbeddingChoice,
  type EmbeddingProvider,
} from './embedding-model';

const PROVIDER_OPTIONS: { value: EmbeddingProvider; label: string }[] = [
  { value: 'local', label: `Offline: ${LOCAL_MODEL} (default, 384 dimensions, no key)` },
  { value: 'openai', label: "OpenAI (the organization's OpenAI key)" },
  { value: 'openai-compatible', label: "OpenAI-compatible server (the organization's server)" },
];

const KEY_NAMES: Record<Exclude<EmbeddingProvider, 'local'>, string> = {
  openai: 'OpenAI key',
  'openai-compatible': 'OpenAI-compatible server',
};

/**
 * The embedding model of a new knowledge base: the offline model or the organization's own
 * provider. `keys` is the organization's provider-key list (null when the member may not read
 * it); `problem` is the model's validation message or the API's embedding error in words.
 */
export function EmbeddingModelField({
  value,
  onChange,
  keys,
  problem,
}: {
  value: EmbeddingChoice;
  onChange: (next: EmbeddingChoice) => void;
  keys: ProviderKeyRead[] | null;
  problem?: string | null;
}) {
  const state = keyState(value.provider, keys);
  const key =
    value.provider === 'local' ? undefined : keys?.find((k) => k.provider === value.provider);
  const keyName = value.provider === 'local' ? '' : KEY_NAMES[value.provider];
  return (
    <div className={dash.stack} data-testid="kb-embedding">
      <SelectField
        label="Embedding model"
        value={value.provider}
        options={PROVIDER_OPTIONS}
        onChange={(e) => onChange({ ...value, provider: e.target.value as EmbeddingProvider })}
        data-testid="kb-embedding-provider"
        error={problem ?? undefined}
        hint="Chosen once, when the knowledge base is created: to use another model later, create a new knowledge base and upload its documents again."
      />
      {value.provider === 'openai' && (
        <div className={dash.grid2}>
          <SelectField
            label="OpenAI model"
            value={value.openaiModel}
            options={OPENAI_MODELS.map((m) => ({ value: m.model, label: m.model }))}
            onChange={(e) => onChange(withOpenAIModel(value, e.target.value))}
            data-testid="kb-embedding-openai-model"
          />
          <SelectField
            label="Dimensions"
            value={value.openaiSize}
            options={openaiModel(value.openaiModel).sizes.map((s) => ({
              value: String(s),
              label: s === 384 ? '384 (fastest search)' : String(s),
            }))}
            onChange={(e) => onChange({ ...value, openaiSize: e.target.value })}
            data-testid="kb-embedding-openai-size"
          />
        </div>
      )}
      {value.provider === 'openai-compatible' && (
        <div className={dash.grid2}>
          <TextField
            label="Model name"
            value={value.compatibleModel}
            maxLength={100}
            placeholder="nomic-embed-text"
            onChange={(e) => onChange({ ...value, compatibleModel: e.target.value })}
            data-testid="kb-embedding-compatible-model"
          />
          <TextField
            label="Dimensions (optional)"
            value={value.compatibleSize}
            inputMode="numeric"
            placeholder="the server's own"
            onChange={(e) => onChange({ ...value, compatibleSize: e.target.value })}
            data-testid="kb-embedding-compatible-size"
          />
        </div>
      )}
      {state !== 'not-needed' && (
        <p className={dash.muted} data-testid="kb-embedding-key">
          {state === 'configured' &&
            `Uses the organization's ${keyName}${key?.hint ? ` (key ending in …${key.hint})` : ''}${key?.base_url ? ` at ${key.base_url}` : ''}. One test sentence is embedded when you create the knowledge base.`}
          {state === 'missing' && (
            <>
              The organization has no {keyName} saved yet.{' '}
              <Link href="/dashboard/providers">Add it under Provider keys</Link> first.
            </>
          )}
          {state === 'unknown' &&
            `Uses the organization's ${keyName} (an admin saves it under Provider keys). One test sentence is embedded when you create the knowledge base.`}
        </p>
      )}
    </div>
  );
}
