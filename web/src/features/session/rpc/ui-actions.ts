import type { UiAction } from '@/contracts';
import type { PanelManager } from '@/panels/panel-manager';
import { applyTheme } from '@/components/theme/theme';
import { parsePanelType } from './payloads';
import { RpcHandlerError } from './rpc-result';

export type UiActionHandler = (params: Record<string, unknown>) => Record<string, unknown> | void;

/** The small set of page actions `troupe.send_ui_action` may trigger; others are `unsupported`. */
export function dispatchUiAction(
  actions: Readonly<Record<string, UiActionHandler>>,
  request: UiAction,
): Record<string, unknown> {
  const handler = Object.hasOwn(actions, request.action) ? actions[request.action] : undefined;
  if (!handler) throw new RpcHandlerError('unsupported', `Unknown UI action "${request.action}"`);
  return { action: request.action, ...(handler(request.params) ?? {}) };
}

/** Page actions every session supports (documented in web/README.md). */
export function builtInUiActions(manager: PanelManager): Record<string, UiActionHandler> {
  return {
    set_theme: (params) => {
      if (params.theme !== 'light' && params.theme !== 'dark') {
        throw new RpcHandlerError('invalid', '"theme" must be "light" or "dark"');
      }
      applyTheme(params.theme);
      return { theme: params.theme };
    },
    maximize_panel: (params) => {
      manager.setMaximized(params.panel === null ? null : parsePanelType(params.panel));
    },
    minimize_panel: (params) => manager.setMinimized(parsePanelType(params.panel), true),
    restore_panel: (params) => manager.setMinimized(parsePanelType(params.panel), false),
    scroll_transcript_to_end: () => {
      const entries = document.querySelectorAll('[data-testid="transcript-entry"]');
      entries[entries.length - 1]?.scrollIntoView({ behavior: 'smooth', block: 'end' });
    },
  };
}
