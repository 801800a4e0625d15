import type { PanelType } from '@/contracts';
import { codePanel } from './code';
import { documentPanel } from './document';
import { notepadPanel } from './notepad';
import { slidesPanel } from './slides';
import type { PanelDefinition } from './types';
import { whiteboardPanel } from './whiteboard';

/** Every panel the browser can render, by type. */
export const PANEL_REGISTRY: Readonly<Record<PanelType, PanelDefinition<unknown>>> = {
  slides: slidesPanel as PanelDefinition<unknown>,
  notepad: notepadPanel as PanelDefinition<unknown>,
  code: codePanel as PanelDefinition<unknown>,
  whiteboard: whiteboardPanel as PanelDefinition<unknown>,
  document: documentPanel as PanelDefinition<unknown>,
};

export const ALL_PANEL_TYPES = Object.keys(PANEL_REGISTRY) as PanelType[];
