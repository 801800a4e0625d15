import { describe, expect, it } from 'vitest';
import {
  addDocumentNote,
  applyDocumentCommand,
  initialDocumentState,
  readDocumentState,
} from './document-state';

const loaded = () => ({
  ...applyDocumentCommand(initialDocumentState(), { op: 'document.load', url: '/dev/a.pdf' }),
  pageCount: 3,
});

describe('document reducer', () => {
  it('loads, navigates, zooms and highlights', () => {
    let state = applyDocumentCommand(loaded(), { op: 'document.goto', page: 3 });
    state = applyDocumentCommand(state, { op: 'document.zoom', scale: 1.5 });
    state = applyDocumentCommand(state, {
      op: 'document.highlight',
      page: 2,
      text: ' thirty days ',
    });
    expect(readDocumentState(state)).toEqual({
      panel: 'document',
      url: '/dev/a.pdf',
      page: 2,
      page_count: 3,
      scale: 1.5,
      annotations: [{ type: 'highlight', page: 2, text: 'thirty days', author: 'agent' }],
    });
  });

  it('rejects pages out of range, bad zoom and unsafe URLs', () => {
    expect(() => applyDocumentCommand(loaded(), { op: 'document.goto', page: 4 })).toThrow();
    expect(() =>
      applyDocumentCommand(initialDocumentState(), { op: 'document.goto', page: 1 }),
    ).toThrow(/No document/);
    expect(() => applyDocumentCommand(loaded(), { op: 'document.zoom', scale: 10 })).toThrow();
    expect(() =>
      applyDocumentCommand(initialDocumentState(), {
        op: 'document.load',
        url: 'javascript:alert(1)',
      }),
    ).toThrow();
    expect(() =>
      applyDocumentCommand(initialDocumentState(), {
        op: 'document.load',
        url: '//evil.example/x.pdf',
      }),
    ).toThrow();
  });

  it('adds user notes on selected text and reads them back', () => {
    let state = applyDocumentCommand(loaded(), {
      op: 'document.highlight',
      page: 2,
      text: 'thirty days',
    });
    const { state: next, mark } = addDocumentNote(state, {
      page: 2,
      text: '  Invoices are due\n within thirty days ',
      note: ' Ask about net-45 ',
    });
    state = next;
    expect(mark).toEqual({
      type: 'note',
      page: 2,
      text: 'Invoices are due within thirty days',
      note: 'Ask about net-45',
      author: 'user',
    });
    expect(readDocumentState(state).annotations).toEqual([
      { type: 'highlight', page: 2, text: 'thirty days', author: 'agent' },
      mark,
    ]);
    // A new document starts without annotations.
    state = applyDocumentCommand(state, { op: 'document.load', url: '/dev/b.pdf' });
    expect(readDocumentState(state).annotations).toEqual([]);
  });

  it('rejects empty notes, empty selections, bad pages and no document', () => {
    const add = (input: { page: number; text: string; note: string }, state = loaded()) =>
      addDocumentNote(state, input);
    expect(() => add({ page: 1, text: 'Scope', note: '   ' })).toThrow(/note/);
    expect(() => add({ page: 1, text: ' \n ', note: 'x' })).toThrow(/Select/);
    expect(() => add({ page: 4, text: 'Scope', note: 'x' })).toThrow();
    expect(() => add({ page: 1, text: 'x'.repeat(1001), note: 'x' })).toThrow(/too long/);
    expect(() => add({ page: 1, text: 'Scope', note: 'x' }, initialDocumentState())).toThrow(
      /No document/,
    );
  });
});
