import { ConnectionError, DisconnectReason } from 'livekit-client';
import { describe, expect, it } from 'vitest';
import type { SessionStartResponse } from '@/contracts';
import { ATTR_ACTIVE_AGENT_NAME } from '@/contracts';
import { formatDuration } from '@/features/session/lib/format-duration';
import { classifyMicrophoneError } from '@/features/session/media/media-errors';
import { activeAgentName } from './active-agent';
import { classifyConnectError, classifyDisconnect } from './connection-errors';
import { clearSession, isTokenExpired, loadSession, saveSession } from './session-store';

const response = {
  session: { id: 's1' },
  connection: {
    session_id: 's1',
    room_name: 'r',
    livekit_url: 'ws://lk',
    participant_token: 't',
    participant_identity: 'user-1',
    token_expires_at: '2099-01-01T00:00:00Z',
  },
  modality_profile: 'audio',
  enabled_panels: [],
} as unknown as SessionStartResponse;

describe('session store', () => {
  it('round-trips a start response by session id', () => {
    saveSession(response, { embedKey: 'demo' });
    expect(loadSession('s1')).toMatchObject({ embedKey: 'demo', response });
    expect(loadSession('other')).toBeNull();
    clearSession('s1');
    expect(loadSession('s1')).toBeNull();
  });

  it('ignores corrupt entries', () => {
    window.sessionStorage.setItem('troupe.session.bad', '{not json');
    expect(loadSession('bad')).toBeNull();
  });

  it('knows when the token has expired', () => {
    const now = new Date('2030-01-01T00:00:00Z');
    expect(isTokenExpired('2029-12-31T23:59:59Z', now)).toBe(true);
    expect(isTokenExpired('2030-01-01T00:01:00Z', now)).toBe(false);
  });
});

describe('connection errors', () => {
  it('classifies connect failures', () => {
    const future = '2099-01-01T00:00:00Z';
    expect(classifyConnectError(new Error('x'), '2000-01-01T00:00:00Z')).toBe('token-expired');
    expect(classifyConnectError(ConnectionError.notAllowed('no', 401), future)).toBe(
      'token-expired',
    );
    expect(classifyConnectError(ConnectionError.serverUnreachable('down'), future)).toBe('network');
    expect(classifyConnectError(new Error('boom'), future)).toBe('connection-failed');
  });

  it('classifies disconnects', () => {
    expect(classifyDisconnect(DisconnectReason.CLIENT_INITIATED)).toBe('ignore');
    expect(classifyDisconnect(DisconnectReason.ROOM_DELETED)).toBe('ended');
    expect(classifyDisconnect(DisconnectReason.SIGNAL_CLOSE)).toBe('network');
    expect(classifyDisconnect(undefined)).toBe('disconnected');
  });
});

describe('microphone errors', () => {
  it.each([
    ['NotAllowedError', 'denied'],
    ['NotFoundError', 'no-device'],
    ['NotReadableError', 'in-use'],
    ['TypeError', 'insecure'],
    ['Weird', 'unknown'],
  ])('%s → %s', (name, issue) => {
    expect(classifyMicrophoneError(new DOMException('x', name))).toBe(issue);
  });
});

describe('active agent name', () => {
  it('prefers the troupe attribute, then the participant name, then identity', () => {
    const participant = { identity: 'agent-AJ_1', name: 'Troupe agent' };
    expect(activeAgentName({ [ATTR_ACTIVE_AGENT_NAME]: 'Ava' }, participant)).toBe('Ava');
    expect(activeAgentName({}, participant)).toBe('Troupe agent');
    expect(activeAgentName(undefined, { identity: 'agent-AJ_1', name: '' })).toBe('agent-AJ_1');
    expect(activeAgentName(undefined, undefined)).toBeUndefined();
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0:00'],
    [9.9, '0:09'],
    [75, '1:15'],
    [3725, '1:02:05'],
  ])('%s → %s', (s, text) => expect(formatDuration(s)).toBe(text));
});
