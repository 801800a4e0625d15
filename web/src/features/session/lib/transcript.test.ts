import type { TextStreamData } from '@livekit/components-react';
import { describe, expect, it } from 'vitest';
import { toTranscriptEntries } from './transcript';

function stream(
  identity: string,
  text: string,
  timestamp: number,
  attributes: Record<string, string> = {},
  id = `stream-${timestamp}`,
): TextStreamData {
  return {
    text,
    participantInfo: { identity },
    streamInfo: { id, timestamp, topic: 'lk.transcription', mimeType: 'text/plain', attributes },
  } as TextStreamData;
}

describe('toTranscriptEntries', () => {
  it('marks the local participant as user and everyone else as agent', () => {
    const entries = toTranscriptEntries(
      [stream('agent-1', 'Hello there', 1), stream('user-1', 'Hi', 2)],
      'user-1',
    );
    expect(entries.map((e) => [e.role, e.text])).toEqual([
      ['agent', 'Hello there'],
      ['user', 'Hi'],
    ]);
  });

  it('merges updates of one segment, keeping its first position and latest text', () => {
    const entries = toTranscriptEntries(
      [
        stream(
          'user-1',
          'I would',
          1,
          { 'lk.segment_id': 'seg-1', 'lk.transcription_final': 'false' },
          'a',
        ),
        stream('agent-1', 'Sure', 3, { 'lk.segment_id': 'seg-2' }, 'b'),
        stream(
          'user-1',
          'I would like tea',
          5,
          { 'lk.segment_id': 'seg-1', 'lk.transcription_final': 'true' },
          'c',
        ),
      ],
      'user-1',
    );
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({
      id: 'seg-1',
      text: 'I would like tea',
      final: true,
      role: 'user',
    });
    expect(entries[1]).toMatchObject({ id: 'seg-2', text: 'Sure', role: 'agent' });
  });

  it('orders by start time and drops empty text', () => {
    const entries = toTranscriptEntries(
      [stream('agent-1', 'second', 20), stream('agent-1', '   ', 5), stream('user-1', 'first', 10)],
      'user-1',
    );
    expect(entries.map((e) => e.text)).toEqual(['first', 'second']);
  });

  it('flags interim user segments as not final', () => {
    const [entry] = toTranscriptEntries(
      [stream('user-1', 'hel', 1, { 'lk.segment_id': 's', 'lk.transcription_final': 'false' })],
      'user-1',
    );
    expect(entry?.final).toBe(false);
  });

  it('treats everything as agent until the local identity is known', () => {
    const [entry] = toTranscriptEntries([stream('user-1', 'hi', 1)], undefined);
    expect(entry?.role).toBe('agent');
  });
});
