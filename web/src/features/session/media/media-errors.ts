export type MicrophoneIssue = 'denied' | 'no-device' | 'in-use' | 'insecure' | 'unknown';

export interface MicrophoneIssueCopy {
  title: string;
  body: string;
  /** How to fix it, written for an end user. */
  fix: string;
}

function errorName(error: unknown): string {
  if (error instanceof Error || error instanceof DOMException) return error.name;
  if (typeof error === 'object' && error !== null && 'name' in error) {
    return String((error as { name: unknown }).name);
  }
  return '';
}

/** Classifies a getUserMedia / track publication failure. */
export function classifyMicrophoneError(error: unknown): MicrophoneIssue {
  switch (errorName(error)) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
    case 'SecurityError':
      return 'denied';
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return 'no-device';
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return 'in-use';
    case 'TypeError':
      // navigator.mediaDevices is undefined outside secure contexts (plain http, not localhost).
      return 'insecure';
    default:
      return 'unknown';
  }
}

export const MICROPHONE_ISSUES: Record<MicrophoneIssue, MicrophoneIssueCopy> = {
  denied: {
    title: 'Microphone access is blocked',
    body: 'The agent can’t hear you because this page isn’t allowed to use your microphone.',
    fix: 'Click the lock or settings icon next to the address bar, allow the microphone for this site, then press “Try again”.',
  },
  'no-device': {
    title: 'No microphone found',
    body: 'We couldn’t find a microphone on this device.',
    fix: 'Plug in or enable a microphone (or headset), then press “Try again”. You can still listen to the agent.',
  },
  'in-use': {
    title: 'Your microphone is busy',
    body: 'Another application or tab seems to be using the microphone.',
    fix: 'Close other apps that use the microphone, then press “Try again”.',
  },
  insecure: {
    title: 'Microphone unavailable on this connection',
    body: 'Browsers only allow microphone access on secure (https) pages.',
    fix: 'Open this page over https, or ask the site owner to enable it.',
  },
  unknown: {
    title: 'Microphone problem',
    body: 'Something went wrong while starting your microphone.',
    fix: 'Check your microphone and browser settings, then press “Try again”.',
  },
};
