import type { DocumentState, PanelCommand } from '@/contracts';
import { commandError, requireInt, requireNumber, requireString, unexpectedOp } from '../types';

export interface DocumentHighlightMark {
  type: 'highlight';
  page: number;
  text: string;
  author: 'agent' | 'user';
}

/** A note the user attached to text they selected on a page. */
export interface DocumentNoteMark {
  type: 'note';
  page: number;
  text: string;
  note: string;
  author: 'user';
}

export type DocumentMark = DocumentHighlightMark | DocumentNoteMark;

export interface DocumentPanelState {
  url: string | null;
  page: number;
  /** 0 until the PDF has loaded. */
  pageCount: number;
  scale: number;
  annotations: DocumentMark[];
  error: string | null;
}

export const MIN_SCALE = 0.25;
export const MAX_SCALE = 4;
export const NOTE_MAX_CHARS = 2000;
export const NOTE_TEXT_MAX_CHARS = 1000;

export const initialDocumentState = (): DocumentPanelState => ({
  url: null,
  page: 1,
  pageCount: 0,
  scale: 1,
  annotations: [],
  error: null,
});

/** Same-origin paths and http(s) URLs only: no `javascript:`/`data:` documents. */
export function validateDocumentUrl(url: string): string {
  if (url.startsWith('/') && !url.startsWith('//')) return url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return commandError('"url" must be an http(s) URL or a path on this site');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    commandError('"url" must be an http(s) URL or a path on this site');
  }
  return parsed.toString();
}

export function clampScale(scale: number): number {
  return Math.round(Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale)) * 100) / 100;
}

export function applyDocumentCommand(
  state: DocumentPanelState,
  command: PanelCommand,
): DocumentPanelState {
  switch (command.op) {
    case 'document.load':
      return {
        ...initialDocumentState(),
        scale: state.scale,
        url: validateDocumentUrl(requireString(command.url, 'url')),
      };
    case 'document.goto': {
      if (!state.url) commandError('No document is loaded');
      const max = state.pageCount > 0 ? state.pageCount : undefined;
      return { ...state, page: requireInt(command.page, 'page', 1, max) };
    }
    case 'document.zoom':
      return {
        ...state,
        scale: clampScale(requireNumber(command.scale, 'scale', MIN_SCALE, MAX_SCALE)),
      };
    case 'document.highlight': {
      if (!state.url) commandError('No document is loaded');
      const max = state.pageCount > 0 ? state.pageCount : undefined;
      const page = requireInt(command.page, 'page', 1, max);
      const text = requireString(command.text, 'text').trim();
      if (text === '') commandError('"text" must not be empty');
      return {
        ...state,
        page,
        annotations: [...state.annotations, { type: 'highlight', page, text, author: 'agent' }],
      };
    }
    default:
      return unexpectedOp('document', command);
  }
}

/**
 * Adds the user's note on `text` (the selected passage, whitespace collapsed) of `page`.
 * Throws `PanelCommandError` for an empty passage or note, or a page out of range.
 */
export function addDocumentNote(
  state: DocumentPanelState,
  input: { page: number; text: string; note: string },
): { state: DocumentPanelState; mark: DocumentNoteMark } {
  if (!state.url) commandError('No document is loaded');
  const max = state.pageCount > 0 ? state.pageCount : undefined;
  const page = requireInt(input.page, 'page', 1, max);
  const text = requireString(input.text, 'text').replace(/\s+/gu, ' ').trim();
  const note = requireString(input.note, 'note').trim();
  if (text === '') commandError('Select some text to annotate');
  if (note === '') commandError('"note" must not be empty');
  if (text.length > NOTE_TEXT_MAX_CHARS) commandError('The selected text is too long');
  if (note.length > NOTE_MAX_CHARS) commandError('"note" is too long');
  const mark: DocumentNoteMark = { type: 'note', page, text, note, author: 'user' };
  return { state: { ...state, annotations: [...state.annotations, mark] }, mark };
}

export function readDocumentState(state: DocumentPanelState): DocumentState {
  return {
    panel: 'document',
    url: state.url,
    page: state.page,
    page_count: state.pageCount,
    scale: state.scale,
    annotations: state.annotations.map((mark) => ({ ...mark })),
  };
}
