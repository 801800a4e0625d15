import { ParticipantKind } from 'livekit-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PanelEvent, PanelType, RpcResult } from '@/contracts';
import { RpcRegistry } from '@/features/session/rpc/rpc-registry';
import { PanelManager } from './panel-manager';
import { registerPanelHandlers, type PanelImageSender } from './panel-rpc';
import { PANEL_REGISTRY } from './registry';

function setup(
  enabled: readonly PanelType[] = ['slides', 'notepad', 'code', 'whiteboard', 'document'],
  sendImage?: PanelImageSender,
) {
  const events: PanelEvent[] = [];
  const manager = new PanelManager(PANEL_REGISTRY, [...enabled], (event) => events.push(event));
  const registry = new RpcRegistry(() => {});
  registry.attach({
    registerRpcMethod: () => {},
    unregisterRpcMethod: () => {},
    remoteParticipants: new Map([
      ['agent-1', { identity: 'agent-1', kind: ParticipantKind.AGENT }],
    ]),
  });
  registerPanelHandlers(registry, manager, sendImage);
  const call = async (method: Parameters<RpcRegistry['invoke']>[0], payload: unknown) =>
    JSON.parse(
      await registry.invoke(method, {
        requestId: 'r',
        callerIdentity: 'agent-1',
        payload: JSON.stringify(payload),
        responseTimeout: 15_000,
      }),
    ) as RpcResult;
  return { manager, events, call };
}

describe('panel RPC routing', () => {
  beforeEach(() => vi.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z') }));
  afterEach(() => vi.useRealTimers());

  it('opens a panel with a command and reads back the exact PanelState', async () => {
    const { call, events } = setup();
    const opened = await call('troupe.open_panel', {
      panel: 'notepad',
      title: 'Answer',
      command: { op: 'notepad.set', text: 'hello world', placeholder: null },
    });
    expect(opened).toEqual({
      ok: true,
      data: {
        state: { panel: 'notepad', text: 'hello world', words: 2, characters: 11 },
        image: null,
      },
      error: null,
    });
    expect(events.map((e) => e.event)).toEqual(['opened']);
    const read = await call('troupe.read_panel', { panel: 'notepad' });
    expect(read.data.state).toEqual({
      panel: 'notepad',
      text: 'hello world',
      words: 2,
      characters: 11,
    });
  });

  it('answers unsupported for a panel not enabled in this session', async () => {
    const { call } = setup(['notepad']);
    const result = await call('troupe.open_panel', { panel: 'code', title: null, command: null });
    expect(result).toMatchObject({ ok: false, error: { code: 'unsupported' } });
  });

  it('answers invalid for bad commands and unknown panels', async () => {
    const { call } = setup();
    await call('troupe.open_panel', { panel: 'slides', title: null, command: null });
    expect(
      (
        await call('troupe.control_panel', {
          panel: 'slides',
          command: { op: 'code.set', code: '' },
        })
      ).error?.code,
    ).toBe('invalid');
    expect(
      (
        await call('troupe.control_panel', {
          panel: 'slides',
          command: { op: 'slides.goto', index: 0 },
        })
      ).error?.code,
    ).toBe('invalid');
    expect(
      (await call('troupe.control_panel', { panel: 'nope', command: { op: 'x' } })).error?.code,
    ).toBe('invalid');
    expect((await call('troupe.control_panel', { panel: 'slides' })).error?.code).toBe('invalid');
  });

  it('control opens a closed panel; close reports and emits', async () => {
    const { call, manager, events } = setup();
    const result = await call('troupe.control_panel', {
      panel: 'code',
      command: { op: 'code.set', code: 'x = 1', language: 'python' },
    });
    expect(result.data.state).toEqual({
      panel: 'code',
      code: 'x = 1',
      language: 'python',
      last_run_output: null,
    });
    expect(manager.entry('code')).toBeDefined();
    expect((await call('troupe.close_panel', { panel: 'code' })).data).toEqual({ closed: true });
    expect((await call('troupe.close_panel', { panel: 'code' })).data).toEqual({ closed: false });
    expect(events.map((e) => `${e.panel}:${e.event}`)).toEqual(['code:opened', 'code:closed']);
    expect((await call('troupe.read_panel', { panel: 'code' })).error?.code).toBe('invalid');
  });

  it('debounces content events to one per 500 ms and flushes on close', () => {
    const { manager, events } = setup();
    manager.open('notepad');
    manager.emitDebounced('notepad', 'content_changed', { text: 'a' });
    manager.emitDebounced('notepad', 'content_changed', { text: 'ab' });
    vi.advanceTimersByTime(500);
    expect(events.filter((e) => e.event === 'content_changed').map((e) => e.data)).toEqual([
      { text: 'ab' },
    ]);
    manager.emitDebounced('notepad', 'content_changed', { text: 'abc' });
    manager.close('notepad', 'user');
    expect(events.map((e) => e.event)).toEqual([
      'opened',
      'content_changed',
      'content_changed',
      'closed',
    ]);
    expect(events.at(-1)).toMatchObject({
      type: 'panel_event',
      panel: 'notepad',
      data: { by: 'user' },
    });
  });

  it('never puts the whiteboard PNG into an RPC answer (LiveKit caps payloads at 15 KiB)', async () => {
    const sendImage = vi.fn<PanelImageSender>();
    const { call, manager } = setup(undefined, sendImage);
    await call('troupe.open_panel', { panel: 'whiteboard', title: null, command: null });
    manager.setSnapshotProvider('whiteboard', async (state) => ({
      ...(state as object),
      png: btoa('x'.repeat(40_000)),
    }));
    const exported = await call('troupe.control_panel', {
      panel: 'whiteboard',
      command: { op: 'whiteboard.export' },
    });
    expect(exported.data).toEqual({
      state: { panel: 'whiteboard', shape_count: 0, shapes: [], png_base64: null },
      image: null,
    });
    const read = await call('troupe.read_panel', { panel: 'whiteboard' });
    expect(read.data.image).toBeNull();
    expect(JSON.stringify(read).length).toBeLessThan(1_000);
    expect(sendImage).not.toHaveBeenCalled();
  });

  it('sends the whiteboard PNG as a byte stream to the agent that asked for the image', async () => {
    const sent: [Uint8Array, string][] = [];
    const sendImage: PanelImageSender = async (png, destination) => {
      sent.push([png, destination]);
      return 'stream-7';
    };
    const { call, manager } = setup(undefined, sendImage);
    await call('troupe.open_panel', { panel: 'whiteboard', title: null, command: null });
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 255, 17]);
    manager.setSnapshotProvider('whiteboard', async (state) => ({
      ...(state as object),
      png: btoa(String.fromCharCode(...png)),
    }));
    const read = await call('troupe.read_panel', { panel: 'whiteboard', image: true });
    expect(read.data).toEqual({
      state: { panel: 'whiteboard', shape_count: 0, shapes: [], png_base64: null },
      image: { stream_id: 'stream-7', mime_type: 'image/png', size: png.length },
    });
    expect(sent).toEqual([[png, 'agent-1']]);
    // other panels ignore the flag; a malformed flag is refused
    await call('troupe.open_panel', { panel: 'notepad', title: null, command: null });
    expect((await call('troupe.read_panel', { panel: 'notepad', image: true })).data.image).toBe(
      null,
    );
    expect(
      (await call('troupe.read_panel', { panel: 'whiteboard', image: 'yes' })).error?.code,
    ).toBe('invalid');
    expect(sent).toHaveLength(1);
  });

  it('tracks minimise and maximise', () => {
    const { manager } = setup();
    manager.open('slides');
    manager.open('notepad');
    manager.setMaximized('notepad');
    expect(manager.getSnapshot().maximized).toBe('notepad');
    manager.setMinimized('notepad', true);
    expect(manager.getSnapshot().maximized).toBeNull();
    expect(manager.entry('notepad')?.minimized).toBe(true);
    manager.open('notepad');
    expect(manager.entry('notepad')?.minimized).toBe(false);
  });
});

describe('lossy pointer updates', () => {
  it('go to the pointer sink only from an open panel, never as panel events', async () => {
    const { manager, events, call } = setup();
    const pointers: [PanelType, number][] = [];
    manager.setPointerSink((panel, update) => pointers.push([panel, update.x]));
    manager.pointer('whiteboard', { x: 1, y: 2 }); // not open yet: dropped
    await call('troupe.open_panel', { panel: 'whiteboard', title: 'Board' });
    manager.pointer('whiteboard', { x: 3, y: 4, drawing: true, stroke: [1, 2] });
    expect(pointers).toEqual([['whiteboard', 3]]);
    expect(events.map((e) => e.event)).toEqual(['opened']);
  });
});
