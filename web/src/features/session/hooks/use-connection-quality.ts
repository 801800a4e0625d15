'use client';

import { ConnectionQuality, RoomEvent, type Participant, type Room } from 'livekit-client';
import { useEffect, useState } from 'react';
import {
  isBad,
  POOR_NOTICE_AFTER_MS,
  qualityLevel,
  type QualityLevel,
} from '@/features/session/lib/connection-quality';

/** The local participant's connection quality as LiveKit scores it (`ConnectionQualityChanged`),
 * and whether it has been poor or lost long enough to tell the user. */
export function useConnectionQuality(room: Pick<Room, 'on' | 'off' | 'localParticipant'>): {
  level: QualityLevel;
  showNotice: boolean;
} {
  const [level, setLevel] = useState<QualityLevel>(() =>
    qualityLevel(room.localParticipant.connectionQuality),
  );
  // Set once the connection has stayed poor or lost for POOR_NOTICE_AFTER_MS; cleared when it
  // recovers (in the event handler, so a short dip never shows the banner).
  const [settled, setSettled] = useState(false);

  useEffect(() => {
    const onChanged = (quality: ConnectionQuality, participant: Participant) => {
      if (participant.identity !== room.localParticipant.identity) return;
      const next = qualityLevel(quality);
      setLevel(next);
      if (!isBad(next)) setSettled(false);
    };
    room.on(RoomEvent.ConnectionQualityChanged, onChanged);
    return () => {
      room.off(RoomEvent.ConnectionQualityChanged, onChanged);
    };
  }, [room]);

  useEffect(() => {
    if (!isBad(level)) return;
    const timer = setTimeout(() => setSettled(true), POOR_NOTICE_AFTER_MS);
    return () => clearTimeout(timer);
  }, [level]);

  const showNotice = settled && isBad(level);
  return { level, showNotice };
}
