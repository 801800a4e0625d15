import { describe, expect, it } from 'vitest';
import { applyDocumentCommand, initialDocumentState, readDocumentState } from './document-state';

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
});
