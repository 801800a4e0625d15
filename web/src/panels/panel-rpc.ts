import type { PanelClosedData, PanelState, PanelStateData } from '@/contracts';
import {
  parseControlPanel,
  parseOpenPanel,
  parsePanelRef,
  parseReadPanel,
} from '@/features/session/rpc/payloads';
import type { RpcRegistry } from '@/features/session/rpc/rpc-registry';
import type { PanelManager } from './panel-manager';

/**
 * Sends a panel picture (PNG bytes) to `destination` as a byte stream on
 * `TOPIC_PANEL_IMAGES`; resolves to the stream's id. Pictures never ride in an RPC answer:
 * LiveKit caps an RPC payload at 15 KiB, which a busy whiteboard passes easily.
 */
export type PanelImageSender = (png: Uint8Array, destination: string) => Promise<string>;

/** The `data` of every panel answer: the state, without any inline PNG. */
export function stateData(state: PanelState): PanelStateData {
  return {
    state: state.panel === 'whiteboard' ? { ...state, png_base64: null } : state,
    image: null,
  };
}

function base64Bytes(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * Routes the panel RPC methods into the manager; returns a function that removes them.
 * `sendImage` (absent without a room) delivers the whiteboard picture `read_panel` asks for.
 */
export function registerPanelHandlers(
  registry: RpcRegistry,
  manager: PanelManager,
  sendImage?: PanelImageSender,
): () => void {
  const removers = [
    registry.register('troupe.open_panel', (payload) => {
      const request = parseOpenPanel(payload);
      return { ...stateData(manager.open(request.panel, request.title, request.command)) };
    }),
    registry.register('troupe.control_panel', async (payload) => {
      const request = parseControlPanel(payload);
      const state = manager.control(request.panel, request.command);
      // The PNG is rendered by the component: answer an export with a fresh read.
      if (request.command.op === 'whiteboard.export')
        return { ...stateData(await manager.read(request.panel)) };
      return { ...stateData(state) };
    }),
    registry.register('troupe.read_panel', async (payload, context) => {
      const request = parseReadPanel(payload);
      const state = await manager.read(request.panel);
      const data = stateData(state);
      if (request.image && sendImage && state.panel === 'whiteboard' && state.png_base64) {
        const png = base64Bytes(state.png_base64);
        const streamId = await sendImage(png, context.callerIdentity);
        data.image = { stream_id: streamId, mime_type: 'image/png', size: png.byteLength };
      }
      return { ...data };
    }),
    registry.register('troupe.close_panel', (payload) => {
      const { panel } = parsePanelRef(payload);
      const data: PanelClosedData = { closed: manager.close(panel, 'agent') };
      return { ...data };
    }),
  ];
  return () => removers.forEach((remove) => remove());
}
