import { lazy } from 'react';
import type { PanelDefinition } from '../types';
import { DocumentIcon } from '../panel-icons';
import {
  applyDocumentCommand,
  initialDocumentState,
  readDocumentState,
  type DocumentPanelState,
} from './document-state';

export const documentPanel: PanelDefinition<DocumentPanelState> = {
  type: 'document',
  title: 'Document',
  icon: DocumentIcon,
  Component: lazy(() => import('./document-panel').then((m) => ({ default: m.DocumentPanel }))),
  ops: ['document.load', 'document.goto', 'document.zoom', 'document.highlight'],
  events: ['opened', 'closed', 'page_viewed', 'section_viewed', 'annotation_added'],
  initialState: initialDocumentState,
  applyCommand: applyDocumentCommand,
  readState: readDocumentState,
};
