import { parseControlPanel, parseOpenPanel, parsePanelRef } from '@/lib/rpc/payloads';
import type { RpcRegistry } from '@/lib/rpc/rpc-registry';
import type { PanelManager } from './panel-manager';

/** Routes the panel RPC methods into the manager; returns a function that removes them. */
export function registerPanelHandlers(registry: RpcRegistry, manager: PanelManager): () => void {
  const removers = [
    registry.register('troupe.open_panel', (payload) => {
      const request = parseOpenPanel(payload);
      return { state: manager.open(request.panel, request.title, request.command) };
    }),
    registry.register('troupe.control_panel', async (payload) => {
      const request = parseControlPanel(payload);
      const state = manager.control(request.panel, request.command);
      // The PNG is rendered by the component: answer an export with a fresh read.
      if (request.command.op === 'whiteboard.export')
        return { state: await manager.read(request.panel) };
      return { state };
    }),
    registry.register('troupe.read_panel', async (payload) => {
      const { panel } = parsePanelRef(payload);
      return { state: await manager.read(panel) };
    }),
    registry.register('troupe.close_panel', (payload) => {
      const { panel } = parsePanelRef(payload);
      return { closed: manager.close(panel, 'agent') };
    }),
  ];
  return () => removers.forEach((remove) => remove());
}
