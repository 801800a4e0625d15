'use client';

import { ParticipantKind, RoomEvent, type Participant, type Room } from 'livekit-client';
import { useEffect, useMemo, useRef } from 'react';
import {
  TOPIC_PANEL_IMAGES,
  type MediaResult,
  type ModalityProfile,
  type PanelType,
  type ToastShownData,
  type UrlOpenedData,
} from '@/contracts';
import type { Interactions } from '@/features/session/components/session-interactions';
import {
  buildClientHello,
  cameraAllowed,
  screenShareAllowed,
  sendClientEvent,
} from '@/features/session/rpc/client-events';
import {
  parseMediaRequest,
  parseOpenUrl,
  parseToast,
  parseUiAction,
} from '@/features/session/rpc/payloads';
import { RpcRegistry } from '@/features/session/rpc/rpc-registry';
import { RpcHandlerError } from '@/features/session/rpc/rpc-result';
import { createPointerThrottle, sendTransient } from '@/features/session/rpc/transient';
import {
  builtInUiActions,
  dispatchUiAction,
  type UiActionHandler,
} from '@/features/session/rpc/ui-actions';
import { PanelManager } from '@/panels/panel-manager';
import { registerPanelHandlers, type PanelImageSender } from '@/panels/panel-rpc';
import { PANEL_REGISTRY } from '@/panels/registry';
import type { VideoPublishing } from './use-video-publishing';

export interface SessionRpcOptions {
  room: Room;
  connected: boolean;
  profile: ModalityProfile;
  enabledPanels: readonly PanelType[];
  interactions: Interactions;
  video: VideoPublishing;
  /** Extra page actions for `troupe.send_ui_action`, besides the built-in ones. */
  uiActions?: Readonly<Record<string, UiActionHandler>>;
}

/**
 * Everything the agent can call on this page: registers the browser RPC methods on the room,
 * owns the panel manager, and tells the agent what the page supports (ClientHello) whenever
 * it may have missed it (join, reconnect, agent joins, methods change).
 */
export function useSessionRpc(options: SessionRpcOptions): {
  registry: RpcRegistry;
  manager: PanelManager;
} {
  const { room, connected, profile, enabledPanels } = options;
  const registry = useMemo(() => new RpcRegistry(), []);
  const panelsKey = enabledPanels.join(',');
  const manager = useMemo(
    () => new PanelManager(PANEL_REGISTRY, panelsKey ? (panelsKey.split(',') as PanelType[]) : []),
    [panelsKey],
  );
  // Handlers read the latest UI callbacks without re-registering on every render.
  const latest = useRef(options);
  useEffect(() => {
    latest.current = options;
  });

  useEffect(() => {
    manager.setSink((event) => {
      if (room.state !== 'connected') return;
      sendClientEvent(room, event).catch((error: unknown) =>
        console.warn('[panels] event not sent', error),
      );
    });
    // Pointer updates are lossy (unreliable data channel), throttled per panel.
    const pointers = createPointerThrottle((packet) => {
      if (room.state !== 'connected') return;
      sendTransient(room, packet).catch(() => {}); // a lost pointer update is replaced by the next
    });
    manager.setPointerSink((panel, update) => pointers.push(panel, update));
    return () => {
      pointers.cancel();
      manager.dispose();
    };
  }, [manager, room]);

  useEffect(() => {
    const mediaHandler =
      (kind: 'camera' | 'screen') => async (payload: string, context: { signal: AbortSignal }) => {
        const { reason } = parseMediaRequest(payload);
        const allowed = kind === 'camera' ? cameraAllowed(profile) : screenShareAllowed(profile);
        if (!allowed)
          throw new RpcHandlerError(
            'unsupported',
            `This session does not allow ${kind === 'camera' ? 'the camera' : 'screen sharing'}`,
          );
        const { interactions, video } = latest.current;
        const alreadyOn = kind === 'camera' ? video.cameraOn : video.screenOn;
        if (!alreadyOn) {
          const consent = await interactions.requestConsent(kind, reason, context.signal);
          if (context.signal.aborted)
            throw new RpcHandlerError('timeout', 'The user did not answer in time');
          if (!consent) throw new RpcHandlerError('refused', 'The user declined');
          const started = await (kind === 'camera' ? video.setCamera(true) : video.setScreen(true));
          if (!started)
            throw new RpcHandlerError(
              'refused',
              `The ${kind === 'camera' ? 'camera' : 'screen share'} could not be started`,
            );
        }
        const result: MediaResult = { granted: true, source: kind };
        return { ...result };
      };

    const removers = [
      registry.register('troupe.request_camera', mediaHandler('camera')),
      registry.register('troupe.request_screen_share', mediaHandler('screen')),
      registry.register('troupe.show_toast', (payload) => {
        latest.current.interactions.showToast(parseToast(payload));
        const data: ToastShownData = { shown: true };
        return { ...data };
      }),
      registry.register('troupe.open_url', async (payload, context) => {
        const { url } = parseOpenUrl(payload);
        const opened = await latest.current.interactions.confirmOpenUrl(url, context.signal);
        if (context.signal.aborted)
          throw new RpcHandlerError('timeout', 'The user did not open the link in time');
        if (!opened) throw new RpcHandlerError('refused', 'The user dismissed the link');
        const data: UrlOpenedData = { opened: true, url };
        return { ...data };
      }),
      registry.register('troupe.send_ui_action', (payload) =>
        dispatchUiAction(
          { ...builtInUiActions(manager), ...latest.current.uiActions },
          parseUiAction(payload),
        ),
      ),
      registerPanelHandlers(registry, manager, panelImageSender(room)),
    ];
    return () => removers.forEach((remove) => remove());
  }, [manager, profile, registry, room]);

  useEffect(() => {
    if (!connected) return;
    registry.attach(room);
    const sendHello = () => {
      if (room.state !== 'connected') return;
      const hello = buildClientHello(
        registry.methods(),
        [...manager.getSnapshot().enabled],
        profile,
      );
      sendClientEvent(room, hello).catch((error: unknown) =>
        console.warn('[rpc] hello not sent', error),
      );
    };
    const onParticipant = (participant: Participant) => {
      if (participant.kind === ParticipantKind.AGENT) sendHello();
    };
    sendHello();
    const unsubscribe = registry.subscribe(sendHello);
    room.on(RoomEvent.Reconnected, sendHello).on(RoomEvent.ParticipantConnected, onParticipant);
    return () => {
      unsubscribe();
      room.off(RoomEvent.Reconnected, sendHello).off(RoomEvent.ParticipantConnected, onParticipant);
      registry.detach();
    };
  }, [connected, manager, profile, registry, room]);

  return { registry, manager };
}

/** LiveKit's byte-stream chunk size: write in pieces no larger than one packet's payload. */
const STREAM_CHUNK_BYTES = 15_000;

/** Panel pictures go to the agent that asked, as a byte stream on `TOPIC_PANEL_IMAGES`. */
function panelImageSender(room: Room): PanelImageSender {
  return async (png, destination) => {
    const streamId = crypto.randomUUID();
    const writer = await room.localParticipant.streamBytes({
      name: 'whiteboard.png',
      topic: TOPIC_PANEL_IMAGES,
      mimeType: 'image/png',
      totalSize: png.byteLength,
      streamId,
      destinationIdentities: [destination],
    });
    for (let start = 0; start < png.byteLength; start += STREAM_CHUNK_BYTES)
      await writer.write(png.subarray(start, start + STREAM_CHUNK_BYTES));
    await writer.close();
    return streamId;
  };
}
