import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '@/lib/api/api-error';
import { PREVIEW_MAX_CHARS, fetchVoicePreview } from './voice-preview-button';

describe('fetchVoicePreview', () => {
  it('refuses empty or long text without a request', async () => {
    const fetchMock = vi.fn();
    await expect(
      fetchVoicePreview(
        { tts: 'local/piper-joe', voice: null, text: 'x'.repeat(PREVIEW_MAX_CHARS + 1) },
        fetchMock,
      ),
    ).rejects.toMatchObject({ code: 'preview_text_invalid' });
    await expect(
      fetchVoicePreview({ tts: 'local/piper-joe', voice: null, text: '  ' }, fetchMock),
    ).rejects.toBeInstanceOf(ApiError);
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('returns the WAV, or the API error code', async () => {
    const wav = new Uint8Array([82, 73, 70, 70]); // "RIFF"
    const ok = vi.fn().mockResolvedValue(new Response(wav, { status: 200 }));
    const blob = await fetchVoicePreview({ tts: 'local/piper-joe', voice: 'joe', text: 'Hi' }, ok);
    expect(blob.size).toBe(4);
    const [url, init] = ok.mock.calls[0]!;
    expect(url).toBe('/api/v1/catalog/voices/preview');
    expect(JSON.parse(init.body as string)).toEqual({
      tts: 'local/piper-joe',
      voice: 'joe',
      text: 'Hi',
    });

    const refused = vi.fn().mockResolvedValue(
      new Response(
        JSON.stringify({
          error: { code: 'voice_preview_unavailable', message: 'Cartesia is a cloud voice.' },
        }),
        { status: 503, headers: { 'content-type': 'application/json' } },
      ),
    );
    await expect(
      fetchVoicePreview({ tts: 'cartesia/sonic', voice: null, text: 'Hi' }, refused),
    ).rejects.toMatchObject({ code: 'voice_preview_unavailable', status: 503 });
  });
});
