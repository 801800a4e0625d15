'use client';

import { useLocalParticipant } from '@livekit/components-react';
import {
  ScreenSharePresets,
  Track,
  VideoPresets,
  type Room,
  type ScreenShareCaptureOptions,
  type TrackPublishOptions,
  type VideoCaptureOptions,
} from 'livekit-client';
import { useCallback, useEffect, useState } from 'react';
import type { ModalityProfile } from '@/contracts';
import { cameraAllowed, screenShareAllowed } from '@/features/session/rpc/client-events';

/** 720p camera: enough for the vision model (frames are resized to ≤1024 px anyway). */
export const CAMERA_CAPTURE: VideoCaptureOptions = { resolution: VideoPresets.h720.resolution };
export const CAMERA_PUBLISH: TrackPublishOptions = { videoEncoding: VideoPresets.h720.encoding };
/** 1080p at 15 fps: screen text stays legible while the bitrate stays modest. */
export const SCREEN_CAPTURE: ScreenShareCaptureOptions = {
  audio: false,
  resolution: ScreenSharePresets.h1080fps15.resolution,
  contentHint: 'detail',
};
export const SCREEN_PUBLISH: TrackPublishOptions = {
  screenShareEncoding: ScreenSharePresets.h1080fps15.encoding,
};

export type VideoSourceKind = 'camera' | 'screen';

export interface VideoPublishing {
  cameraAllowed: boolean;
  screenAllowed: boolean;
  cameraOn: boolean;
  screenOn: boolean;
  pending: VideoSourceKind | null;
  error: string | null;
  /** The source the agent looks at: the most recently started one that is still on. */
  activeSource: VideoSourceKind | null;
  setCamera: (on: boolean) => Promise<boolean>;
  setScreen: (on: boolean) => Promise<boolean>;
}

function describe(error: unknown, kind: VideoSourceKind): string {
  const name = (error as { name?: string } | null)?.name;
  if (name === 'NotAllowedError')
    return kind === 'camera' ? 'Camera access was blocked.' : 'Screen sharing was cancelled.';
  if (name === 'NotFoundError') return 'No camera was found.';
  if (name === 'NotReadableError') return 'The camera is in use by another application.';
  return kind === 'camera' ? 'Could not start the camera.' : 'Could not start screen sharing.';
}

export function useVideoPublishing(
  room: Room,
  profile: ModalityProfile,
  connected: boolean,
): VideoPublishing {
  const { isCameraEnabled, isScreenShareEnabled } = useLocalParticipant({ room });
  const [pending, setPending] = useState<VideoSourceKind | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [order, setOrder] = useState<VideoSourceKind[]>([]);

  const setSource = useCallback(
    async (kind: VideoSourceKind, on: boolean): Promise<boolean> => {
      const allowed = kind === 'camera' ? cameraAllowed(profile) : screenShareAllowed(profile);
      if (on && (!allowed || !connected)) return false;
      setPending(kind);
      setError(null);
      try {
        const publication =
          kind === 'camera'
            ? await room.localParticipant.setCameraEnabled(on, CAMERA_CAPTURE, CAMERA_PUBLISH)
            : await room.localParticipant.setScreenShareEnabled(on, SCREEN_CAPTURE, SCREEN_PUBLISH);
        const started = on && publication !== undefined;
        setOrder((list) => [...list.filter((k) => k !== kind), ...(started ? [kind] : [])]);
        return started || !on;
      } catch (cause) {
        setError(describe(cause, kind));
        return false;
      } finally {
        setPending(null);
      }
    },
    [connected, profile, room],
  );

  // The browser's own "Stop sharing" bar ends the track without going through us.
  useEffect(() => {
    const current = order.filter((kind) =>
      kind === 'camera' ? isCameraEnabled : isScreenShareEnabled,
    );
    if (current.length !== order.length) queueMicrotask(() => setOrder(current));
  }, [isCameraEnabled, isScreenShareEnabled, order]);

  return {
    cameraAllowed: cameraAllowed(profile),
    screenAllowed: screenShareAllowed(profile),
    cameraOn: isCameraEnabled,
    screenOn: isScreenShareEnabled,
    pending,
    error,
    activeSource: order.at(-1) ?? null,
    setCamera: useCallback((on: boolean) => setSource('camera', on), [setSource]),
    setScreen: useCallback((on: boolean) => setSource('screen', on), [setSource]),
  };
}

export const VIDEO_TRACK_SOURCES = {
  camera: Track.Source.Camera,
  screen: Track.Source.ScreenShare,
} as const;
