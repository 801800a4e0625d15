'use client';

import { useMediaDeviceSelect } from '@livekit/components-react';
import type { Room } from 'livekit-client';
import type { VideoPublishing } from '@/features/session/hooks/use-video-publishing';
import { CameraIcon, CameraOffIcon, ScreenIcon } from './media-icons';
import styles from './media.module.css';

/** Camera and screen-share buttons, shown only when the session's modality profile allows them. */
export function VideoControls({
  room,
  video,
  connected,
}: {
  room: Room;
  video: VideoPublishing;
  connected: boolean;
}) {
  return (
    <>
      {video.cameraAllowed && <CameraControl room={room} video={video} connected={connected} />}
      {video.screenAllowed && (
        <button
          type="button"
          className={styles.mediaButton}
          data-testid="screen-toggle"
          data-active={video.screenOn}
          aria-pressed={video.screenOn}
          aria-label={video.screenOn ? 'Stop sharing your screen' : 'Share your screen'}
          title={video.screenOn ? 'Stop sharing' : 'Share screen'}
          disabled={!connected || video.pending === 'screen'}
          onClick={() => void video.setScreen(!video.screenOn)}
        >
          <ScreenIcon />
          <span className={styles.mediaLabel}>
            {video.screenOn ? 'Stop sharing' : 'Share screen'}
          </span>
        </button>
      )}
      {video.error && (
        <span className={styles.mediaError} role="alert" data-testid="video-error">
          {video.error}
        </span>
      )}
    </>
  );
}

function CameraControl({
  room,
  video,
  connected,
}: {
  room: Room;
  video: VideoPublishing;
  connected: boolean;
}) {
  const { devices, activeDeviceId, setActiveMediaDevice } = useMediaDeviceSelect({
    kind: 'videoinput',
    room,
  });
  return (
    <>
      <button
        type="button"
        className={styles.mediaButton}
        data-testid="camera-toggle"
        data-active={video.cameraOn}
        aria-pressed={video.cameraOn}
        aria-label={video.cameraOn ? 'Turn camera off' : 'Turn camera on'}
        title={video.cameraOn ? 'Turn camera off' : 'Turn camera on'}
        disabled={!connected || video.pending === 'camera'}
        onClick={() => void video.setCamera(!video.cameraOn)}
      >
        {video.cameraOn ? <CameraIcon /> : <CameraOffIcon />}
        <span className={styles.mediaLabel}>Camera</span>
      </button>
      {devices.length > 1 && (
        <label className={styles.deviceSelect}>
          <span className="visually-hidden">Camera</span>
          <select
            data-testid="camera-select"
            value={activeDeviceId}
            onChange={(event) => void setActiveMediaDevice(event.target.value)}
          >
            {devices.map((device, index) => (
              <option key={device.deviceId || index} value={device.deviceId}>
                {device.label || `Camera ${index + 1}`}
              </option>
            ))}
          </select>
        </label>
      )}
    </>
  );
}
