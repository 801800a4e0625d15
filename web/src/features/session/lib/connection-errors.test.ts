import { ConnectionError, DisconnectReason } from 'livekit-client';
import { describe, expect, it } from 'vitest';
import {
  classifyConnectError,
  classifyDisconnect,
  isAbortedConnect,
  problemDetails,
  SESSION_PROBLEMS,
} from './connection-errors';

const LATER = new Date(Date.now() + 600_000).toISOString();

describe('classifyConnectError', () => {
  it('never reports an attempt that was aborted on purpose', () => {
    const aborted = [
      ConnectionError.cancelled('Client initiated disconnect'),
      new DOMException('The operation was aborted.', 'AbortError'),
      'Abort connection attempt due to user initiated disconnect',
    ];
    for (const error of aborted) {
      expect(isAbortedConnect(error)).toBe(true);
      expect(classifyConnectError(error, LATER)).toBeNull();
    }
  });

  it('names LiveKit being unreachable, an expired token and anything else', () => {
    expect(classifyConnectError(ConnectionError.serverUnreachable('no signal'), LATER)).toBe(
      'network',
    );
    expect(classifyConnectError(ConnectionError.notAllowed('token', 401), LATER)).toBe(
      'token-expired',
    );
    const past = new Date(Date.now() - 1000).toISOString();
    expect(classifyConnectError(new Error('x'), past)).toBe('token-expired');
    expect(classifyConnectError(new Error('boom'), LATER)).toBe('connection-failed');
  });
});

describe('classifyDisconnect', () => {
  it('ignores our own disconnect and ends on a closed room', () => {
    expect(classifyDisconnect(DisconnectReason.CLIENT_INITIATED)).toBe('ignore');
    expect(classifyDisconnect(DisconnectReason.ROOM_DELETED)).toBe('ended');
    expect(classifyDisconnect(DisconnectReason.SIGNAL_CLOSE)).toBe('network');
  });
});

describe('SESSION_PROBLEMS', () => {
  it('gives every problem a plain reason and the action that fixes it', () => {
    for (const copy of Object.values(SESSION_PROBLEMS)) {
      expect(copy.body.length).toBeGreaterThan(10);
      expect(copy.fix.length).toBeGreaterThan(10);
    }
    expect(SESSION_PROBLEMS['agent-unavailable'].fix).toMatch(/agent worker is running/);
    expect(SESSION_PROBLEMS.network.fix).toMatch(/LiveKit is running/);
  });
});

describe('problemDetails', () => {
  it('holds the error code, session id, time, user agent and message', () => {
    const text = problemDetails({
      code: 'network',
      sessionId: 'abc',
      message: 'ConnectionError: could not establish signal connection',
      at: new Date('2026-12-06T02:00:00Z'),
      userAgent: 'TestBrowser/1.0',
    });
    expect(text).toBe(
      [
        'Troupe session problem: network',
        'Session: abc',
        'Time: 2026-12-06T02:00:00.000Z',
        'User agent: TestBrowser/1.0',
        'Error: ConnectionError: could not establish signal connection',
      ].join('\n'),
    );
  });
});
