'use client';

import { StartAudio, useAudioPlayback } from '@livekit/components-react';
import type { Room } from 'livekit-client';
import { SpeakerIcon } from '@/components/ui/icons';
import styles from './session.module.css';

/** Browsers block sound until the user interacts with the page; this asks for that click. */
export function AudioUnlockBanner({ room }: { room: Room }) {
  const { canPlayAudio } = useAudioPlayback(room);
  if (canPlayAudio) return null;
  return (
    <div className={styles.banner} data-tone="info" role="alert">
      <SpeakerIcon size={20} />
      <span className={styles.bannerText}>Your browser paused the agent’s voice.</span>
      <StartAudio
        room={room}
        label="Click to enable audio"
        className={styles.bannerButton}
        data-testid="start-audio"
      />
    </div>
  );
}
