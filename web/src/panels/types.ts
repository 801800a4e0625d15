import type { ComponentType } from 'react';
import type { PanelCommand, PanelEvent, PanelState, PanelType } from '@/contracts';
import type { PointerUpdate } from '@/features/session/rpc/transient';

export type PanelEventName = PanelEvent['event'];
export type PanelOp = PanelCommand['op'];

export interface PanelComponentProps<S> {
  state: S;
  /** Applies a user interaction to this panel's state. */
  update: (updater: (state: S) => S) => void;
  /** Sends a PanelEvent to the agent now. */
  emit: (event: PanelEventName, data?: Record<string, unknown>) => void;
  /** Sends a PanelEvent at most once per 500 ms, with the latest data (content changes). */
  emitDebounced: (event: PanelEventName, data?: Record<string, unknown>) => void;
  /**
   * Where the user's pointer is (and the stroke being drawn): a lossy update to the agent,
   * throttled, on the unreliable data channel (`PanelPointer`). Never for state changes.
   */
  pointer: (update: PointerUpdate) => void;
  /**
   * Lets the component refresh state that only it can compute (e.g. a PNG of the canvas)
   * right before `read_panel` answers. Pass null to remove.
   */
  setSnapshotProvider: (provider: ((state: S) => Promise<S>) | null) => void;
  maximized: boolean;
}

/**
 * One workspace panel. `applyCommand` and `readState` are pure so the agent's commands
 * can be validated and answered synchronously, and tested without a DOM.
 */
export interface PanelDefinition<S = unknown> {
  type: PanelType;
  title: string;
  icon: ComponentType<{ size?: number }>;
  Component: ComponentType<PanelComponentProps<S>>;
  /** Commands the agent may send (`control_panel` / `open_panel`). */
  ops: readonly PanelOp[];
  /** PanelEvent names this panel emits. */
  events: readonly PanelEventName[];
  initialState: () => S;
  /** Throws `PanelCommandError` for a command that is malformed or not for this panel. */
  applyCommand: (state: S, command: PanelCommand) => S;
  /** The exact `PanelState` the agent gets from `read_panel`. */
  readState: (state: S) => PanelState;
}

export class PanelCommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PanelCommandError';
  }
}

export function commandError(message: string): never {
  throw new PanelCommandError(message);
}

export function requireInt(value: unknown, name: string, min?: number, max?: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value))
    commandError(`"${name}" must be an integer`);
  if (min !== undefined && value < min) commandError(`"${name}" must be ≥ ${min}`);
  if (max !== undefined && value > max) commandError(`"${name}" must be ≤ ${max}`);
  return value;
}

export function requireNumber(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    commandError(`"${name}" must be a number`);
  if (value < min || value > max) commandError(`"${name}" must be between ${min} and ${max}`);
  return value;
}

export function requireString(value: unknown, name: string): string {
  if (typeof value !== 'string') commandError(`"${name}" must be a string`);
  return value;
}

export function unexpectedOp(type: PanelType, command: { op?: unknown }): never {
  return commandError(`The ${type} panel does not accept "${String(command.op)}"`);
}
