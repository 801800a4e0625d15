'use client';

import { memo, Suspense, useCallback, useMemo, useState } from 'react';
import type { PanelType } from '@/contracts';
import type { PointerUpdate } from '@/features/session/rpc/transient';
import { usePanelManager, usePanelSnapshot } from './panel-context';
import type { OpenPanelEntry, PanelManager, PanelManagerSnapshot } from './panel-manager';
import { CloseIcon, MaximizeIcon, MinimizeIcon, RestoreIcon } from './panel-icons';
import { PANEL_REGISTRY } from './registry';
import type { PanelComponentProps, PanelEventName } from './types';
import styles from './panel-host.module.css';

function visiblePanels(snapshot: PanelManagerSnapshot): OpenPanelEntry[] {
  return snapshot.panels.filter((panel) =>
    snapshot.maximized ? panel.type === snapshot.maximized : !panel.minimized,
  );
}

function prefersReducedMotion(): boolean {
  return (
    typeof window !== 'undefined' &&
    typeof window.matchMedia === 'function' &&
    window.matchMedia('(prefers-reduced-motion: reduce)').matches
  );
}

/**
 * Panels that were visible and just closed: kept on screen (inert) while their exit animation
 * runs, then dropped. With reduced motion they go at once. The manager has already closed
 * them, so the agent and the events see the close immediately.
 */
function useLeavingPanels(snapshot: PanelManagerSnapshot) {
  const [previous, setPrevious] = useState(snapshot);
  const [leaving, setLeaving] = useState<OpenPanelEntry[]>([]);
  if (previous !== snapshot) {
    // Adjusting state while rendering (React's pattern for reacting to a changed prop).
    const isOpen = (type: PanelType) => snapshot.panels.some((p) => p.type === type);
    const closed = prefersReducedMotion()
      ? []
      : visiblePanels(previous).filter((panel) => !isOpen(panel.type));
    setPrevious(snapshot);
    setLeaving((list) => [
      ...list.filter((p) => !isOpen(p.type) && !closed.some((c) => c.type === p.type)),
      ...closed,
    ]);
  }
  const done = useCallback(
    (type: PanelType) => setLeaving((list) => list.filter((p) => p.type !== type)),
    [],
  );
  return { leaving, done };
}

/** Open panels beside the conversation: split when several, one when maximised. */
export function PanelHost({ empty }: { empty?: React.ReactNode }) {
  const snapshot = usePanelSnapshot();
  const { leaving, done } = useLeavingPanels(snapshot);
  const visible = visiblePanels(snapshot);
  const minimized = snapshot.panels.filter((panel) => panel.minimized);

  if (snapshot.panels.length === 0 && leaving.length === 0) return <>{empty}</>;

  return (
    <div
      className={styles.host}
      data-testid="panel-host"
      data-count={visible.length}
      data-maximized={snapshot.maximized ?? ''}
    >
      <div
        className={styles.split}
        data-layout={visible.length + leaving.length > 1 ? 'split' : 'single'}
      >
        {/* One list, so a closing panel keeps its component instance (no remount). */}
        {[...visible, ...leaving].map((panel) =>
          leaving.includes(panel) ? (
            <PanelFrame key={panel.type} entry={panel} maximized={false} onLeft={done} />
          ) : (
            <PanelFrame
              key={panel.type}
              entry={panel}
              maximized={snapshot.maximized === panel.type}
            />
          ),
        )}
      </div>
      {minimized.length > 0 && (
        <div className={styles.tray} aria-label="Minimised panels">
          {minimized.map((panel) => {
            const Icon = PANEL_REGISTRY[panel.type].icon;
            return (
              <MinimizedChip
                key={panel.type}
                type={panel.type}
                title={panel.title}
                icon={<Icon size={16} />}
              />
            );
          })}
        </div>
      )}
    </div>
  );
}

function MinimizedChip({
  type,
  title,
  icon,
}: {
  type: PanelType;
  title: string;
  icon: React.ReactNode;
}) {
  const manager = usePanelManager();
  return (
    <button
      type="button"
      className={styles.chip}
      data-testid={`panel-restore-${type}`}
      onClick={() => manager.setMinimized(type, false)}
    >
      {icon}
      {title}
    </button>
  );
}

function useComponentProps(manager: PanelManager, type: PanelType) {
  const update = useCallback(
    (updater: (state: unknown) => unknown) => manager.update(type, updater),
    [manager, type],
  );
  const emit = useCallback(
    (event: PanelEventName, data?: Record<string, unknown>) => manager.emit(type, event, data),
    [manager, type],
  );
  const emitDebounced = useCallback(
    (event: PanelEventName, data?: Record<string, unknown>) =>
      manager.emitDebounced(type, event, data),
    [manager, type],
  );
  const setSnapshotProvider = useCallback(
    (provider: ((state: unknown) => Promise<unknown>) | null) =>
      manager.setSnapshotProvider(type, provider),
    [manager, type],
  );
  const pointer = useCallback(
    (update: PointerUpdate) => manager.pointer(type, update),
    [manager, type],
  );
  return useMemo(
    () => ({ update, emit, emitDebounced, setSnapshotProvider, pointer }),
    [update, emit, emitDebounced, setSnapshotProvider, pointer],
  );
}

const PanelFrame = memo(function PanelFrame({
  entry,
  maximized,
  onLeft,
}: {
  entry: OpenPanelEntry;
  maximized: boolean;
  /** Set while the panel plays its close animation; called when it has finished. */
  onLeft?: (type: PanelType) => void;
}) {
  const manager = usePanelManager();
  const definition = PANEL_REGISTRY[entry.type];
  const Icon = definition.icon;
  const Component = definition.Component as React.ComponentType<PanelComponentProps<unknown>>;
  const callbacks = useComponentProps(manager, entry.type);

  return (
    <section
      className={styles.frame}
      data-testid={onLeft ? `panel-leaving-${entry.type}` : `panel-${entry.type}`}
      aria-label={entry.title}
      aria-hidden={onLeft ? true : undefined}
      inert={onLeft ? true : undefined}
      data-maximized={maximized}
      data-leaving={onLeft ? 'true' : undefined}
      onAnimationEnd={(event) => {
        if (onLeft && event.target === event.currentTarget) onLeft(entry.type);
      }}
    >
      <header className={styles.header}>
        <span className={styles.icon}>
          <Icon size={16} />
        </span>
        <h2 className={styles.title} data-testid="panel-title">
          {entry.title}
        </h2>
        <div className={styles.actions}>
          <button
            type="button"
            className={styles.action}
            aria-label={`Minimise ${entry.title}`}
            title="Minimise"
            data-testid="panel-minimize"
            onClick={() => manager.setMinimized(entry.type, true)}
          >
            <MinimizeIcon size={15} />
          </button>
          <button
            type="button"
            className={styles.action}
            aria-label={maximized ? `Restore ${entry.title}` : `Maximise ${entry.title}`}
            title={maximized ? 'Restore' : 'Maximise'}
            data-testid="panel-maximize"
            onClick={() => manager.setMaximized(maximized ? null : entry.type)}
          >
            {maximized ? <RestoreIcon size={15} /> : <MaximizeIcon size={15} />}
          </button>
          <button
            type="button"
            className={styles.action}
            aria-label={`Close ${entry.title}`}
            title="Close"
            data-testid="panel-close"
            onClick={() => manager.close(entry.type, 'user')}
          >
            <CloseIcon size={15} />
          </button>
        </div>
      </header>
      <div className={styles.content}>
        <Suspense
          fallback={
            <div className={styles.loading} aria-busy="true">
              Loading {entry.title.toLowerCase()}…
            </div>
          }
        >
          <Component state={entry.state} maximized={maximized} {...callbacks} />
        </Suspense>
      </div>
    </section>
  );
});
