'use client';

import { useLocalParticipant, VideoTrack } from '@livekit/components-react';
import { Track, type Room } from 'livekit-client';
import type { VideoPublishing } from '@/features/session/hooks/use-video-publishing';
import styles from './media.module.css';

/** Local camera preview, mirrored like a mirror; labels which source the agent sees. */
export function CameraPreview({ room, video }: { room: Room; video: VideoPublishing }) {
  const { localParticipant, cameraTrack } = useLocalParticipant({ room });
  if (!video.cameraOn || !cameraTrack) return null;
  return (
    <figure className={styles.preview} data-testid="camera-preview">
      <VideoTrack
        trackRef={{
          participant: localParticipant,
          source: Track.Source.Camera,
          publication: cameraTrack,
        }}
        className={styles.previewVideo}
      />
      <figcaption className={styles.previewLabel} data-active={video.activeSource === 'camera'}>
        {video.activeSource === 'camera' ? 'Agent sees your camera' : 'Camera'}
      </figcaption>
    </figure>
  );
}
