'use client';

import { useTranscriptions } from '@livekit/components-react';
import type { Room } from 'livekit-client';
import { useMemo } from 'react';
import { toTranscriptEntries, type TranscriptEntry } from '@/features/session/lib/transcript';

/** Live transcript of both sides, from LiveKit's `lk.transcription` text streams. */
export function useTranscript(room: Room): TranscriptEntry[] {
  const streams = useTranscriptions({ room });
  const localIdentity = room.localParticipant.identity;
  return useMemo(() => toTranscriptEntries(streams, localIdentity), [streams, localIdentity]);
}
