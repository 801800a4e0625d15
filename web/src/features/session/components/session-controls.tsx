'use client';

import {
  BarVisualizer,
  useLocalParticipant,
  useMediaDeviceSelect,
} from '@livekit/components-react';
import { Track, type Room } from 'livekit-client';
import { useMemo } from 'react';
import type { Microphone } from '@/features/session/hooks/use-microphone';
import type { VideoPublishing } from '@/features/session/hooks/use-video-publishing';
import { DeviceMenu } from './device-menu';
import { UploadControl } from './upload-control';
import { VideoControls } from './video-controls';
import { MicIcon, MicOffIcon, PhoneOffIcon } from '@/components/ui/icons';
import styles from './session.module.css';

export function SessionControls({
  room,
  microphone,
  connected,
  video,
  onEndRequested,
}: {
  room: Room;
  microphone: Microphone;
  /** The microphone can only be published once the room is joined. */
  connected: boolean;
  /** Camera / screen share; buttons appear only where the modality profile allows them. */
  video?: VideoPublishing;
  onEndRequested: () => void;
}) {
  const { localParticipant, microphoneTrack } = useLocalParticipant({ room });
  const { devices, activeDeviceId, setActiveMediaDevice } = useMediaDeviceSelect({
    kind: 'audioinput',
    room,
  });
  const userTrack = useMemo(
    () =>
      microphoneTrack
        ? {
            participant: localParticipant,
            source: Track.Source.Microphone,
            publication: microphoneTrack,
          }
        : undefined,
    [localParticipant, microphoneTrack],
  );
  const noMicrophone = microphone.issue === 'no-device';
  // Before joining, the microphone is neither muted nor live: show it neutral.
  const muted = connected && !microphone.enabled;

  return (
    <footer className={styles.controls}>
      <div className={styles.controlsGroup}>
        <div className={styles.userVisualizer} data-testid="user-visualizer" data-muted={muted}>
          <BarVisualizer
            track={userTrack}
            barCount={5}
            options={{ minHeight: 15, maxHeight: 100 }}
          />
        </div>
        <button
          type="button"
          className={styles.micButton}
          data-testid="mic-toggle"
          data-muted={muted}
          aria-pressed={!muted}
          aria-label={muted ? 'Unmute microphone' : 'Mute microphone'}
          title={muted ? 'Unmute microphone' : 'Mute microphone'}
          onClick={() => void microphone.toggle()}
          disabled={!connected || microphone.pending || noMicrophone}
        >
          {muted ? <MicOffIcon /> : <MicIcon />}
          <span className={styles.micLabel}>{muted ? 'Unmute' : 'Mute'}</span>
        </button>
        <DeviceMenu
          label="Microphone"
          testId="mic-menu"
          devices={devices.map((device, index) => ({
            deviceId: device.deviceId,
            label: device.label || `Microphone ${index + 1}`,
          }))}
          activeDeviceId={activeDeviceId}
          emptyLabel={noMicrophone ? 'No microphone found' : 'Default microphone'}
          onSelect={(deviceId) => void setActiveMediaDevice(deviceId)}
        />
        {video && <VideoControls room={room} video={video} connected={connected} />}
        <UploadControl room={room} connected={connected} />
      </div>
      {microphone.pending && (
        <span className={styles.permissionHint} role="status">
          Allow microphone access in your browser’s prompt…
        </span>
      )}
      <button
        type="button"
        className={styles.endButton}
        data-testid="end-session"
        onClick={onEndRequested}
      >
        <PhoneOffIcon size={18} />
        <span>End</span>
      </button>
    </footer>
  );
}
