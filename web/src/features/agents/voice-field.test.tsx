import { render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { VoiceField } from './voice-field';

afterEach(() => vi.unstubAllGlobals());

const piper = {
  id: 'local/piper-joe',
  role: 'tts',
  label: 'Piper',
  offline: true,
  voices: ['joe'],
} as never;
const eleven = {
  id: 'elevenlabs/eleven_turbo_v2_5',
  role: 'tts',
  label: 'ElevenLabs',
  offline: false,
  voices: ['default'],
} as never;

function reply(status: number, body: unknown) {
  const fetchMock = vi.fn().mockResolvedValue(
    new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json' },
    }),
  );
  vi.stubGlobal('fetch', fetchMock);
  return fetchMock;
}

function optionTexts(): string[] {
  return Array.from((screen.getByLabelText('Voice') as HTMLSelectElement).options).map(
    (o) => o.textContent ?? '',
  );
}

describe('VoiceField', () => {
  it('offers the installed voices of an offline provider without asking the API', () => {
    const fetchMock = reply(500, {});
    render(<VoiceField tts={piper} value={null} onChange={() => {}} />);
    expect(optionTexts()).toEqual(['Provider default', 'joe']);
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it("lists a cloud provider's own voices fetched by the API", async () => {
    const fetchMock = reply(200, {
      tts: 'elevenlabs/eleven_turbo_v2_5',
      source: 'provider',
      cached: false,
      voices: [{ id: 'v1', name: 'Rachel', language: 'en', installed: true }],
    });
    render(<VoiceField tts={eleven} value={null} onChange={() => {}} />);
    await waitFor(() => expect(optionTexts()).toEqual(['Provider default', 'Rachel (en)']));
    expect(String(fetchMock.mock.calls[0]![0])).toContain(
      '/catalog/voices?tts=elevenlabs%2Feleven_turbo_v2_5',
    );
  });

  it('says why when the key is missing', async () => {
    reply(422, {
      error: {
        code: 'provider_key_missing',
        message: 'No key is set for this provider (Settings → Provider keys).',
      },
    });
    render(<VoiceField tts={eleven} value="v9" onChange={() => {}} />);
    expect(await screen.findByText(/No key is set for this provider/)).toBeTruthy();
    expect(optionTexts()).toEqual(['Provider default', 'v9']); // the saved voice stays
  });
});
