'use client';

import { createContext, useContext, useSyncExternalStore } from 'react';
import type { PanelManager, PanelManagerSnapshot } from './panel-manager';

const PanelManagerContext = createContext<PanelManager | null>(null);

export const PanelManagerProvider = PanelManagerContext.Provider;

export function usePanelManager(): PanelManager {
  const manager = useContext(PanelManagerContext);
  if (!manager) throw new Error('usePanelManager needs a <PanelManagerProvider>');
  return manager;
}

export function usePanelSnapshot(): PanelManagerSnapshot {
  const manager = usePanelManager();
  return useSyncExternalStore(manager.subscribe, manager.getSnapshot, manager.getSnapshot);
}
