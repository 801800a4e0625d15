'use client';

import { useEffect, useRef, useState } from 'react';
import { dash } from '@/components/ui/kit';
import { Button } from '@/components/ui/button';
import { PlayIcon } from '@/components/ui/icons';
import { ApiError, apiErrorFromResponse } from '@/lib/api/api-error';
import {
  CSRF_COOKIE,
  CSRF_HEADER,
  ORG_HEADER,
  errorMessage,
  getSelectedOrg,
  readCookie,
  refreshTokens,
} from '@/lib/api/client';

export const PREVIEW_PATH = '/api/v1/catalog/voices/preview';
export const PREVIEW_MAX_CHARS = 200;
export const PREVIEW_TEXT = 'Hello! This is how I sound when I talk with your callers.';

/** POSTs a preview request and resolves with the WAV, or rejects with the API's error. */
export async function fetchVoicePreview(
  body: { tts: string; voice: string | null; text: string },
  fetchImpl: typeof fetch = fetch,
): Promise<Blob> {
  if (!body.text.trim() || body.text.length > PREVIEW_MAX_CHARS) {
    throw new ApiError(0, 'preview_text_invalid', `Use 1 to ${PREVIEW_MAX_CHARS} characters.`);
  }
  const send = () => {
    const headers = new Headers({ 'content-type': 'application/json', accept: 'audio/wav' });
    const csrf = readCookie(CSRF_COOKIE);
    if (csrf) headers.set(CSRF_HEADER, csrf);
    const org = getSelectedOrg();
    if (org) headers.set(ORG_HEADER, org);
    return fetchImpl(PREVIEW_PATH, {
      method: 'POST',
      credentials: 'same-origin',
      headers,
      body: JSON.stringify(body),
    });
  };
  let response = await send();
  if (response.status === 401 && (await refreshTokens(fetchImpl))) response = await send();
  if (!response.ok) {
    const parsed: unknown = await response.json().catch(() => undefined);
    throw apiErrorFromResponse(response.status, response.statusText, parsed);
  }
  return response.blob();
}

/** Plays a short sample of the selected voice, rendered by the local TTS the runtime uses. */
export function VoicePreviewButton({ tts, voice }: { tts: string | null; voice: string | null }) {
  const [state, setState] = useState<'idle' | 'loading' | 'playing'>('idle');
  const [error, setError] = useState<string | null>(null);
  const [duration, setDuration] = useState<number | null>(null);
  const audio = useRef<HTMLAudioElement | null>(null);
  const url = useRef<string | null>(null);

  useEffect(
    () => () => {
      audio.current?.pause();
      if (url.current) URL.revokeObjectURL(url.current);
    },
    [],
  );

  async function play() {
    if (!tts) return;
    setError(null);
    setState('loading');
    try {
      const wav = await fetchVoicePreview({ tts, voice, text: PREVIEW_TEXT });
      audio.current?.pause();
      if (url.current) URL.revokeObjectURL(url.current);
      url.current = URL.createObjectURL(wav);
      const player = new Audio(url.current);
      audio.current = player;
      player.onloadedmetadata = () => setDuration(player.duration);
      player.onended = () => setState('idle');
      setState('playing');
      await player.play();
    } catch (err) {
      setError(errorMessage(err));
      setState('idle');
    }
  }

  return (
    <div className={dash.field}>
      <span className={dash.label}>Voice sample</span>
      <div className={dash.row}>
        <Button
          variant="secondary"
          size="sm"
          data-testid="voice-preview"
          data-state={state}
          data-duration={duration?.toFixed(2)}
          disabled={!tts || state === 'loading'}
          title={tts ? 'Hear a short sample of this voice' : 'Pick a text-to-speech provider first'}
          onClick={() => void play()}
        >
          <PlayIcon size={14} />
          {state === 'loading' ? 'Rendering…' : state === 'playing' ? 'Playing…' : 'Play sample'}
        </Button>
      </div>
      {error && (
        <span className={dash.error} role="alert" data-testid="voice-preview-error">
          {error}
        </span>
      )}
    </div>
  );
}
