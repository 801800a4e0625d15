'use client';

import { memo, Suspense, useCallback, useMemo } from 'react';
import type { PanelType } from '@/contracts';
import { usePanelManager, usePanelSnapshot } from './panel-context';
import type { OpenPanelEntry, PanelManager } from './panel-manager';
import { CloseIcon, MaximizeIcon, MinimizeIcon, RestoreIcon } from './panel-icons';
import { PANEL_REGISTRY } from './registry';
import type { PanelComponentProps, PanelEventName } from './types';
import styles from './panel-host.module.css';

/** Open panels beside the conversation: split when several, one when maximised. */
export function PanelHost({ empty }: { empty?: React.ReactNode }) {
  const snapshot = usePanelSnapshot();
  const visible = snapshot.panels.filter((panel) =>
    snapshot.maximized ? panel.type === snapshot.maximized : !panel.minimized,
  );
  const minimized = snapshot.panels.filter((panel) => panel.minimized);

  if (snapshot.panels.length === 0) return <>{empty}</>;

  return (
    <div
      className={styles.host}
      data-testid="panel-host"
      data-count={visible.length}
      data-maximized={snapshot.maximized ?? ''}
    >
      <div className={styles.split} data-layout={visible.length > 1 ? 'split' : 'single'}>
        {visible.map((panel) => (
          <PanelFrame
            key={panel.type}
            entry={panel}
            maximized={snapshot.maximized === panel.type}
          />
        ))}
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
  return useMemo(
    () => ({ update, emit, emitDebounced, setSnapshotProvider }),
    [update, emit, emitDebounced, setSnapshotProvider],
  );
}

const PanelFrame = memo(function PanelFrame({
  entry,
  maximized,
}: {
  entry: OpenPanelEntry;
  maximized: boolean;
}) {
  const manager = usePanelManager();
  const definition = PANEL_REGISTRY[entry.type];
  const Icon = definition.icon;
  const Component = definition.Component as React.ComponentType<PanelComponentProps<unknown>>;
  const callbacks = useComponentProps(manager, entry.type);

  return (
    <section
      className={styles.frame}
      data-testid={`panel-${entry.type}`}
      aria-label={entry.title}
      data-maximized={maximized}
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
