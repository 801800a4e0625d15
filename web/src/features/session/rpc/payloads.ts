import type {
  ControlPanel,
  MediaRequest,
  OpenPanel,
  OpenUrl,
  PanelCommand,
  PanelRef,
  PanelType,
  ReadPanel,
  Toast,
  UiAction,
} from '@/contracts';
import { invalid, isRecord } from './rpc-result';

/*
 * Minimal structural validation of the RPC payloads from `contracts/`. The agent validates
 * with Pydantic before sending, so these checks guard against version skew and bugs, not
 * against a hostile peer (only the agent may call at all).
 */

export const PANEL_TYPES: readonly PanelType[] = [
  'slides',
  'notepad',
  'code',
  'whiteboard',
  'document',
];

export function parseJson(raw: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = raw.trim() === '' ? {} : JSON.parse(raw);
  } catch {
    invalid('Payload is not valid JSON');
  }
  if (!isRecord(value)) invalid('Payload must be a JSON object');
  return value;
}

function str(obj: Record<string, unknown>, key: string, fallback?: string): string {
  const value = obj[key] ?? fallback;
  if (typeof value !== 'string') invalid(`"${key}" must be a string`);
  return value;
}

function optStr(obj: Record<string, unknown>, key: string): string | null {
  const value = obj[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') invalid(`"${key}" must be a string or null`);
  return value;
}

export function parsePanelType(value: unknown): PanelType {
  if (typeof value !== 'string' || !PANEL_TYPES.includes(value as PanelType)) {
    invalid(`Unknown panel "${String(value)}"`);
  }
  return value as PanelType;
}

export function parseMediaRequest(raw: string): MediaRequest {
  const obj = parseJson(raw);
  return { reason: str(obj, 'reason', '') };
}

export function parseOpenUrl(raw: string): OpenUrl {
  const obj = parseJson(raw);
  const url = str(obj, 'url');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    invalid('"url" is not an absolute URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    invalid('Only http and https URLs can be opened');
  }
  const newTab = obj.new_tab ?? true;
  if (typeof newTab !== 'boolean') invalid('"new_tab" must be a boolean');
  return { url: parsed.toString(), new_tab: newTab };
}

const TOAST_LEVELS: readonly Toast['level'][] = ['info', 'success', 'warning', 'error'];

export function parseToast(raw: string): Toast {
  const obj = parseJson(raw);
  const message = str(obj, 'message');
  if (message.trim() === '') invalid('"message" must not be empty');
  const level = str(obj, 'level', 'info') as Toast['level'];
  if (!TOAST_LEVELS.includes(level)) invalid(`Unknown toast level "${level}"`);
  return { message, level };
}

export function parseUiAction(raw: string): UiAction {
  const obj = parseJson(raw);
  const params = obj.params ?? {};
  if (!isRecord(params)) invalid('"params" must be an object');
  return { action: str(obj, 'action'), params };
}

export function parsePanelRef(raw: string): PanelRef {
  return { panel: parsePanelType(parseJson(raw).panel) };
}

export function parseReadPanel(raw: string): ReadPanel {
  const obj = parseJson(raw);
  const image = obj.image ?? false;
  if (typeof image !== 'boolean') invalid('"image" must be a boolean');
  return { panel: parsePanelType(obj.panel), image };
}

/** Only the `op` discriminator is checked here; each panel validates its own fields. */
export function parseCommandEnvelope(value: unknown): PanelCommand {
  if (!isRecord(value) || typeof value.op !== 'string') invalid('"command" must have an "op"');
  return value as unknown as PanelCommand;
}

export function parseOpenPanel(raw: string): OpenPanel {
  const obj = parseJson(raw);
  return {
    panel: parsePanelType(obj.panel),
    title: optStr(obj, 'title'),
    command:
      obj.command === undefined || obj.command === null ? null : parseCommandEnvelope(obj.command),
  };
}

export function parseControlPanel(raw: string): ControlPanel {
  const obj = parseJson(raw);
  return { panel: parsePanelType(obj.panel), command: parseCommandEnvelope(obj.command) };
}
