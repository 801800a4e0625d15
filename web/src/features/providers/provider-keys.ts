import type { Schema } from '@/lib/api/client';

/** The organization's own model-provider keys (`/provider-keys`, admins only). Write-only: the
 * API returns whether a key is set and at most its last four characters, never the key. */

export type ProviderKeyRead = Schema<'ProviderKeyRead'>;
export type ProviderKeyList = Schema<'ProviderKeyList'>;
export type KeyProvider = ProviderKeyRead['provider'];

export const PROVIDER_LABELS: Record<KeyProvider, { label: string; used: string }> = {
  openai: { label: 'OpenAI', used: 'openai/* language models' },
  'openai-compatible': {
    label: 'OpenAI-compatible server',
    used: 'openai-compatible/* models (Ollama, vLLM, llama.cpp server)',
  },
  deepgram: { label: 'Deepgram', used: 'deepgram/* speech recognition' },
  cartesia: { label: 'Cartesia', used: 'cartesia/* voices' },
  elevenlabs: { label: 'ElevenLabs', used: 'elevenlabs/* voices' },
  anthropic: { label: 'Anthropic', used: 'anthropic/* language models (Claude)' },
  google: { label: 'Google Gemini', used: 'google/* language models (Gemini API key)' },
  groq: { label: 'Groq', used: 'groq/* language models' },
};

/** What the card says about a provider's key: never more than the API's hint. */
export function keyStatus(item: ProviderKeyRead): string {
  if (!item.configured) return 'Not set: the platform key is used, if there is one.';
  const parts = [item.hint ? `Key ending in …${item.hint}` : 'Set'];
  if (item.base_url) parts.push(`at ${item.base_url}`);
  return parts.join(' ');
}

/** The PUT body, or a message saying what is missing. */
export function keyBody(
  provider: KeyProvider,
  apiKey: string,
  baseUrl: string,
): { body: { api_key: string; base_url?: string } } | { problem: string } {
  const key = apiKey.trim();
  const url = baseUrl.trim();
  if (provider === 'openai-compatible') {
    if (!/^https?:\/\/\S+$/.test(url)) return { problem: 'Enter the server’s base URL (http…).' };
    return { body: { api_key: key, base_url: url } };
  }
  if (!key) return { problem: 'Enter the key.' };
  return { body: { api_key: key } };
}
