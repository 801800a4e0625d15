'use client';

import { SelectField } from '@/components/ui/kit';
import { isApiError } from '@/lib/api/api-error';
import type { Schema } from '@/lib/api/client';
import { useApi } from '@/lib/api/use-api';

type Provider = Schema<'ProviderSpec'>;

/**
 * The agent's voice, from the chosen TTS provider's list: offline providers offer the voices
 * installed here (the catalog's), cloud providers their own list, fetched by the API with the
 * organization's key (`GET /catalog/voices`, cached). Without a key, or with a refused one, the
 * field says so and keeps the provider's default.
 */
export function VoiceField({
  tts,
  value,
  error,
  onChange,
}: {
  tts: Provider | undefined;
  value: string | null;
  error?: string;
  onChange: (voice: string | null) => void;
}) {
  const cloud = tts !== undefined && !tts.offline;
  const fetched = useApi<Schema<'VoiceList'>>(cloud ? '/catalog/voices' : null, {
    query: { tts: tts?.id ?? '' },
  });
  const options = cloud
    ? (fetched.data?.voices ?? []).map((v) => ({
        value: v.id,
        label: v.language ? `${v.name} (${v.language})` : v.name,
      }))
    : (tts?.voices ?? []).map((v) => ({ value: v, label: v }));
  if (value && !options.some((o) => o.value === value)) options.unshift({ value, label: value });
  const problem = cloud && fetched.error !== undefined && fetched.error !== null;
  const hint = problem
    ? `${isApiError(fetched.error) ? fetched.error.message : 'The voice list could not be fetched.'} The provider's default voice is used.`
    : cloud && fetched.loading
      ? 'Fetching the voices of this provider…'
      : options.length === 0
        ? 'This speech provider has no voice choice.'
        : undefined;
  return (
    <SelectField
      label="Voice"
      id="agent-voice"
      value={value ?? ''}
      error={error}
      disabled={options.length === 0}
      hint={hint}
      options={[{ value: '', label: 'Provider default' }, ...options]}
      onChange={(e) => onChange(e.target.value || null)}
    />
  );
}
