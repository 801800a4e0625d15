import { ParticipantKind, type RpcInvocationData } from 'livekit-client';
import { describe, expect, it, vi } from 'vitest';
import type { RpcResult } from '@/contracts';
import { parseToast } from './payloads';
import { RpcRegistry, type RpcHost } from './rpc-registry';
import { RpcHandlerError } from './rpc-result';

function fakeHost(
  participants: [string, ParticipantKind][] = [['agent-1', ParticipantKind.AGENT]],
) {
  const registered = new Map<string, (data: RpcInvocationData) => Promise<string>>();
  const host: RpcHost = {
    registerRpcMethod: (method, handler) => void registered.set(method, handler),
    unregisterRpcMethod: (method) => void registered.delete(method),
    remoteParticipants: new Map(
      participants.map(([identity, kind]) => [identity, { identity, kind }]),
    ),
  };
  return { host, registered };
}

function call(
  registry: RpcRegistry,
  method: Parameters<RpcRegistry['invoke']>[0],
  payload: unknown,
  caller = 'agent-1',
  responseTimeout = 15_000,
) {
  return registry
    .invoke(method, {
      requestId: 'r1',
      callerIdentity: caller,
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
      responseTimeout,
    })
    .then((raw) => JSON.parse(raw) as RpcResult);
}

describe('RpcRegistry', () => {
  it('mirrors register/unregister onto the attached room', () => {
    const { host, registered } = fakeHost();
    const registry = new RpcRegistry();
    const remove = registry.register('troupe.show_toast', () => {});
    registry.attach(host);
    expect([...registered.keys()]).toEqual(['troupe.show_toast']);
    registry.register('troupe.open_url', () => {});
    expect(registered.has('troupe.open_url')).toBe(true);
    remove();
    expect(registered.has('troupe.show_toast')).toBe(false);
    expect(registry.methods()).toEqual(['troupe.open_url']);
    registry.detach();
    expect(registered.size).toBe(0);
  });

  it('answers ok with data in the RpcResult shape', async () => {
    const { host } = fakeHost();
    const registry = new RpcRegistry();
    registry.attach(host);
    registry.register('troupe.show_toast', (payload) => ({ echo: parseToast(payload).message }));
    await expect(
      call(registry, 'troupe.show_toast', { message: 'hi', level: 'info' }),
    ).resolves.toEqual({
      ok: true,
      data: { echo: 'hi' },
      error: null,
    });
  });

  it('refuses callers that are not the agent', async () => {
    const log = vi.fn();
    const { host } = fakeHost([
      ['agent-1', ParticipantKind.AGENT],
      ['user-2', ParticipantKind.STANDARD],
      ['agent-fake', ParticipantKind.STANDARD],
    ]);
    const registry = new RpcRegistry(log);
    registry.attach(host);
    const handler = vi.fn();
    registry.register('troupe.show_toast', handler);
    for (const caller of ['user-2', 'agent-fake', 'agent-unknown']) {
      const result = await call(registry, 'troupe.show_toast', { message: 'x' }, caller);
      expect(result.ok).toBe(false);
      expect(result.error?.code).toBe('forbidden');
    }
    expect(handler).not.toHaveBeenCalled();
    expect(log).toHaveBeenCalled();
  });

  it('maps malformed payloads to invalid', async () => {
    const { host } = fakeHost();
    const registry = new RpcRegistry();
    registry.attach(host);
    registry.register('troupe.show_toast', (payload) => void parseToast(payload));
    expect((await call(registry, 'troupe.show_toast', '{not json')).error?.code).toBe('invalid');
    expect((await call(registry, 'troupe.show_toast', { message: 3 })).error?.code).toBe('invalid');
    expect(
      (await call(registry, 'troupe.show_toast', { message: 'x', level: 'loud' })).error?.code,
    ).toBe('invalid');
  });

  it('answers unsupported for a method without a handler', async () => {
    const { host } = fakeHost();
    const registry = new RpcRegistry();
    registry.attach(host);
    const result = await call(registry, 'troupe.request_camera', { reason: 'x' });
    expect(result).toMatchObject({ ok: false, error: { code: 'unsupported' } });
  });

  it('passes RpcHandlerError codes through and logs unexpected failures as failed', async () => {
    const log = vi.fn();
    const { host } = fakeHost();
    const registry = new RpcRegistry(log);
    registry.attach(host);
    registry.register('troupe.request_camera', () => {
      throw new RpcHandlerError('refused', 'no');
    });
    registry.register('troupe.open_url', () => {
      throw new Error('boom');
    });
    expect((await call(registry, 'troupe.request_camera', {})).error).toEqual({
      code: 'refused',
      message: 'no',
    });
    expect((await call(registry, 'troupe.open_url', {})).error).toEqual({
      code: 'failed',
      message: 'boom',
    });
    expect(log).toHaveBeenCalledWith(
      'handler failed',
      expect.objectContaining({ method: 'troupe.open_url' }),
    );
  });

  it('answers timeout before the caller gives up and aborts the handler', async () => {
    vi.useFakeTimers();
    try {
      const { host } = fakeHost();
      const registry = new RpcRegistry();
      registry.attach(host);
      let aborted = false;
      registry.register('troupe.request_screen_share', (_payload, { signal }) => {
        signal.addEventListener('abort', () => (aborted = true));
        return new Promise(() => {});
      });
      const pending = call(
        registry,
        'troupe.request_screen_share',
        { reason: 'x' },
        'agent-1',
        5_000,
      );
      await vi.advanceTimersByTimeAsync(5_000);
      expect((await pending).error?.code).toBe('timeout');
      expect(aborted).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});
