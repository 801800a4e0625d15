import { ConnectionQuality } from 'livekit-client';

export type QualityLevel = 'excellent' | 'good' | 'poor' | 'lost' | 'unknown';

/** How long the connection must stay poor (or lost) before the page says so: LiveKit
 * re-scores every few seconds, and one bad score is not worth a banner. */
export const POOR_NOTICE_AFTER_MS = 4000;

export function qualityLevel(quality: ConnectionQuality | undefined): QualityLevel {
  switch (quality) {
    case ConnectionQuality.Excellent:
      return 'excellent';
    case ConnectionQuality.Good:
      return 'good';
    case ConnectionQuality.Poor:
      return 'poor';
    case ConnectionQuality.Lost:
      return 'lost';
    default:
      return 'unknown';
  }
}

/** Signal bars lit (of 3). */
export function qualityBars(level: QualityLevel): number {
  return { excellent: 3, good: 2, poor: 1, lost: 0, unknown: 0 }[level];
}

export function qualityLabel(level: QualityLevel): string {
  return {
    excellent: 'Excellent connection',
    good: 'Good connection',
    poor: 'Poor connection',
    lost: 'Connection lost',
    unknown: 'Measuring connection…',
  }[level];
}

export function isBad(level: QualityLevel): boolean {
  return level === 'poor' || level === 'lost';
}

/** The notice shown once the connection has been bad for `POOR_NOTICE_AFTER_MS`. */
export function poorConnectionNotice(level: QualityLevel): string {
  return level === 'lost'
    ? 'Your connection was lost. Reconnecting… The agent cannot hear you until it is back.'
    : 'Your connection is poor: the agent may hear you late or in pieces. A stronger Wi-Fi signal or closing other apps that use the network helps.';
}
