import type { TextStreamData } from '@livekit/components-react';

export type TranscriptRole = 'user' | 'agent';

export interface TranscriptEntry {
  id: string;
  role: TranscriptRole;
  participantIdentity: string;
  text: string;
  final: boolean;
  /** Milliseconds since the epoch at which the segment's stream started. */
  timestamp: number;
}

/** Attribute keys LiveKit Agents puts on `lk.transcription` text streams. */
const ATTR_SEGMENT_ID = 'lk.segment_id';
const ATTR_FINAL = 'lk.transcription_final';

/**
 * Turns LiveKit's transcription text streams (already merged per segment by
 * `useTranscriptions`) into ordered transcript entries for display.
 *
 * The agent publishes both sides; a stream's `participantInfo.identity` is the participant whose
 * speech it transcribes, so the local identity marks the user's own lines.
 */
export function toTranscriptEntries(
  streams: readonly TextStreamData[],
  localIdentity: string | undefined,
): TranscriptEntry[] {
  const byId = new Map<string, TranscriptEntry>();
  for (const stream of streams) {
    const attributes = stream.streamInfo.attributes ?? {};
    const id = attributes[ATTR_SEGMENT_ID] ?? stream.streamInfo.id;
    const identity = stream.participantInfo.identity;
    const previous = byId.get(id);
    const entry: TranscriptEntry = {
      id,
      role: localIdentity !== undefined && identity === localIdentity ? 'user' : 'agent',
      participantIdentity: identity,
      text: stream.text.trim(),
      // Agent speech streams close when the segment is done and carry no final flag.
      final: attributes[ATTR_FINAL] !== 'false',
      timestamp: previous?.timestamp ?? stream.streamInfo.timestamp,
    };
    byId.set(id, entry);
  }
  return [...byId.values()]
    .filter((entry) => entry.text.length > 0)
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => a.entry.timestamp - b.entry.timestamp || a.index - b.index)
    .map(({ entry }) => entry);
}
