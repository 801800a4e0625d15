import type { PanelCommand, PanelEvent, PanelState, PanelType } from '@/contracts';
import { RpcHandlerError } from '@/features/session/rpc/rpc-result';
import { CONTENT_EVENT_DEBOUNCE_MS, createKeyedDebouncer } from './debounce';
import type { PointerUpdate } from '@/features/session/rpc/transient';
import { PanelCommandError, type PanelDefinition, type PanelEventName } from './types';

export interface OpenPanelEntry {
  type: PanelType;
  title: string;
  state: unknown;
  minimized: boolean;
  /** Bumped on every change, so React rerenders only the panel that changed. */
  version: number;
}

export interface PanelManagerSnapshot {
  enabled: readonly PanelType[];
  panels: readonly OpenPanelEntry[];
  maximized: PanelType | null;
}

export type PanelEventSink = (event: PanelEvent) => void;
/** Lossy pointer updates (already throttled per panel) go here. */
export type PointerSink = (panel: PanelType, update: PointerUpdate) => void;

type Definitions = Readonly<Partial<Record<PanelType, PanelDefinition<unknown>>>>;

/**
 * Open panels and their state. RPC handlers call `open` / `control` / `read` / `close`,
 * which throw `RpcHandlerError` (`unsupported`, `invalid`) for the registry to answer with;
 * React reads it through `useSyncExternalStore`.
 */
export class PanelManager {
  private snapshot: PanelManagerSnapshot;
  private readonly listeners = new Set<() => void>();
  private readonly snapshotProviders = new Map<PanelType, (state: unknown) => Promise<unknown>>();
  private readonly debouncer = createKeyedDebouncer<PanelEvent>(
    CONTENT_EVENT_DEBOUNCE_MS,
    (_key, event) => this.sink(event),
  );

  constructor(
    private readonly definitions: Definitions,
    enabled: readonly PanelType[],
    private sink: PanelEventSink = () => {},
  ) {
    this.snapshot = {
      enabled: enabled.filter((type) => definitions[type] !== undefined),
      panels: [],
      maximized: null,
    };
  }

  private pointerSink: PointerSink = () => {};

  setSink(sink: PanelEventSink): void {
    this.sink = sink;
  }

  setPointerSink(sink: PointerSink): void {
    this.pointerSink = sink;
  }

  /** A lossy pointer update from an open panel (see `PanelComponentProps.pointer`). */
  pointer(panel: PanelType, update: PointerUpdate): void {
    if (this.entry(panel)) this.pointerSink(panel, update);
  }

  getSnapshot = (): PanelManagerSnapshot => this.snapshot;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  definition(type: PanelType): PanelDefinition<unknown> {
    const definition = this.definitions[type];
    if (!definition || !this.snapshot.enabled.includes(type)) {
      throw new RpcHandlerError('unsupported', `The ${type} panel is not enabled in this session`);
    }
    return definition;
  }

  entry(type: PanelType): OpenPanelEntry | undefined {
    return this.snapshot.panels.find((panel) => panel.type === type);
  }

  /** Opens (or focuses) a panel, then applies `command` if given. */
  open(type: PanelType, title?: string | null, command?: PanelCommand | null): PanelState {
    const definition = this.definition(type);
    const existing = this.entry(type);
    let state = existing?.state ?? definition.initialState();
    if (command) state = this.apply(definition, state, command);
    const entry: OpenPanelEntry = {
      type,
      title: title || existing?.title || definition.title,
      state,
      minimized: false,
      version: (existing?.version ?? 0) + 1,
    };
    this.commit({
      ...this.snapshot,
      panels: existing
        ? this.snapshot.panels.map((panel) => (panel.type === type ? entry : panel))
        : [...this.snapshot.panels, entry],
      maximized: this.snapshot.maximized === type ? type : null,
    });
    if (!existing) this.emit(type, 'opened', { title: entry.title });
    return definition.readState(state);
  }

  control(type: PanelType, command: PanelCommand): PanelState {
    const definition = this.definition(type);
    const existing = this.entry(type);
    // Commanding a closed panel opens it: the agent's intent ("show slide 3") is clear.
    if (!existing) return this.open(type, null, command);
    const state = this.apply(definition, existing.state, command);
    this.replace(type, { state });
    return definition.readState(state);
  }

  async read(type: PanelType): Promise<PanelState> {
    const definition = this.definition(type);
    const existing = this.requireOpen(type);
    const provider = this.snapshotProviders.get(type);
    if (provider) {
      const fresher = await provider(existing.state);
      this.replace(type, { state: fresher });
      return definition.readState(fresher);
    }
    return definition.readState(existing.state);
  }

  close(type: PanelType, by: 'agent' | 'user' = 'agent'): boolean {
    this.definition(type);
    if (!this.entry(type)) return false;
    this.debouncer.flush();
    this.commit({
      ...this.snapshot,
      panels: this.snapshot.panels.filter((panel) => panel.type !== type),
      maximized: this.snapshot.maximized === type ? null : this.snapshot.maximized,
    });
    this.snapshotProviders.delete(type);
    this.emit(type, 'closed', { by });
    return true;
  }

  /** A user interaction inside a panel. */
  update(type: PanelType, updater: (state: unknown) => unknown): void {
    const existing = this.entry(type);
    if (!existing) return;
    const state = updater(existing.state);
    if (state !== existing.state) this.replace(type, { state });
  }

  setMinimized(type: PanelType, minimized: boolean): void {
    if (!this.entry(type)) return;
    this.replace(type, { minimized });
    if (minimized && this.snapshot.maximized === type)
      this.commit({ ...this.snapshot, maximized: null });
  }

  setMaximized(type: PanelType | null): void {
    if (type !== null && !this.entry(type)) return;
    if (type !== null) this.replace(type, { minimized: false });
    this.commit({ ...this.snapshot, maximized: type });
  }

  setSnapshotProvider(type: PanelType, provider: ((state: unknown) => Promise<unknown>) | null) {
    if (provider) this.snapshotProviders.set(type, provider);
    else this.snapshotProviders.delete(type);
  }

  emit(panel: PanelType, event: PanelEventName, data: Record<string, unknown> = {}): void {
    this.sink(makeEvent(panel, event, data));
  }

  emitDebounced(panel: PanelType, event: PanelEventName, data: Record<string, unknown> = {}) {
    this.debouncer.push(`${panel}:${event}`, makeEvent(panel, event, data));
  }

  dispose(): void {
    this.debouncer.flush();
    this.debouncer.cancel();
  }

  private apply(definition: PanelDefinition<unknown>, state: unknown, command: PanelCommand) {
    if (!definition.ops.includes(command.op)) {
      throw new RpcHandlerError(
        'invalid',
        `The ${definition.type} panel does not accept "${String(command.op)}"`,
      );
    }
    try {
      return definition.applyCommand(state, command);
    } catch (error) {
      if (error instanceof PanelCommandError) throw new RpcHandlerError('invalid', error.message);
      throw error;
    }
  }

  private requireOpen(type: PanelType): OpenPanelEntry {
    const existing = this.entry(type);
    if (!existing) throw new RpcHandlerError('invalid', `The ${type} panel is not open`);
    return existing;
  }

  private replace(type: PanelType, changes: Partial<OpenPanelEntry>): void {
    this.commit({
      ...this.snapshot,
      panels: this.snapshot.panels.map((panel) =>
        panel.type === type ? { ...panel, ...changes, version: panel.version + 1 } : panel,
      ),
    });
  }

  private commit(next: PanelManagerSnapshot): void {
    this.snapshot = next;
    for (const listener of this.listeners) listener();
  }
}

function makeEvent(panel: PanelType, event: PanelEventName, data: Record<string, unknown>) {
  return { type: 'panel_event', panel, event, data, ts: new Date().toISOString() } as PanelEvent;
}
