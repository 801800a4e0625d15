'use client';

import { useLocalParticipant } from '@livekit/components-react';
import type { AudioCaptureOptions, Room } from 'livekit-client';
import { useCallback, useEffect, useState } from 'react';
import {
  classifyMicrophoneError,
  type MicrophoneIssue,
} from '@/features/session/media/media-errors';

export const MIC_CAPTURE_OPTIONS: AudioCaptureOptions = {
  echoCancellation: true,
  noiseSuppression: true,
  autoGainControl: true,
};

export interface Microphone {
  enabled: boolean;
  /** Waiting for the browser's permission prompt or the device to start. */
  pending: boolean;
  issue: MicrophoneIssue | null;
  toggle: () => Promise<void>;
  retry: () => Promise<void>;
}

/** Publishes the microphone once connected and exposes mute/unmute and failure handling. */
export function useMicrophone(room: Room, connected: boolean): Microphone {
  const { isMicrophoneEnabled } = useLocalParticipant({ room });
  const [pending, setPending] = useState(false);
  const [issue, setIssue] = useState<MicrophoneIssue | null>(null);

  const setEnabled = useCallback(
    async (enabled: boolean) => {
      if (enabled && !navigator.mediaDevices?.getUserMedia) {
        setIssue('insecure');
        return;
      }
      setPending(true);
      try {
        await room.localParticipant.setMicrophoneEnabled(enabled, MIC_CAPTURE_OPTIONS);
        setIssue(null);
      } catch (error) {
        setIssue(classifyMicrophoneError(error));
      } finally {
        setPending(false);
      }
    },
    [room],
  );

  // Publish once per connection; the user's later mute choice is kept across reconnects.
  useEffect(() => {
    if (!connected) return;
    let cancelled = false;
    queueMicrotask(() => {
      if (!cancelled && !room.localParticipant.isMicrophoneEnabled) void setEnabled(true);
    });
    return () => {
      cancelled = true;
    };
  }, [connected, room, setEnabled]);

  // When the user unblocks the microphone in site settings, pick it up without a reload.
  useEffect(() => {
    if (issue !== 'denied' || !navigator.permissions?.query) return;
    let status: PermissionStatus | undefined;
    const onChange = () => {
      if (status?.state === 'granted') void setEnabled(true);
    };
    navigator.permissions
      .query({ name: 'microphone' as PermissionName })
      .then((result) => {
        status = result;
        status.addEventListener('change', onChange);
      })
      .catch(() => {});
    return () => status?.removeEventListener('change', onChange);
  }, [issue, setEnabled]);

  const toggle = useCallback(
    () => setEnabled(!isMicrophoneEnabled),
    [isMicrophoneEnabled, setEnabled],
  );
  const retry = useCallback(() => setEnabled(true), [setEnabled]);

  return { enabled: isMicrophoneEnabled, pending, issue, toggle, retry };
}
