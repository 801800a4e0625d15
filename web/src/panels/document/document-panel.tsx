'use client';

import type { PDFDocumentProxy } from 'pdfjs-dist';
import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import type { PanelComponentProps } from '../types';
import { ChevronLeftIcon, ChevronRightIcon } from '../panel-icons';
import ui from '../panel-ui.module.css';
import {
  addDocumentNote,
  clampScale,
  NOTE_MAX_CHARS,
  type DocumentMark,
  type DocumentNoteMark,
  type DocumentPanelState,
} from './document-state';
import { collapseWhitespace, groupSections, type DocumentSection } from './document-sections';
import styles from './document.module.css';

/** Served from our own origin (copied out of pdfjs-dist by scripts/copy-vendor.mjs). */
export const PDF_WORKER_SRC = '/vendor/pdfjs/pdf.worker.min.mjs';

type PdfJs = typeof import('pdfjs-dist');
let pdfjsPromise: Promise<PdfJs> | null = null;
function loadPdfJs(): Promise<PdfJs> {
  pdfjsPromise ??= import('pdfjs-dist').then((pdfjs) => {
    pdfjs.GlobalWorkerOptions.workerSrc = PDF_WORKER_SRC;
    return pdfjs;
  });
  return pdfjsPromise;
}

interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** One text item of the rendered page, in CSS pixels of the page box. */
interface PageRun extends Box {
  str: string;
  fontSize: number;
  /** Horizontal stretch so the transparent text lines up with the canvas glyphs. */
  scaleX: number;
}

interface PageText {
  page: number;
  runs: PageRun[];
  sections: (DocumentSection & { box: Box })[];
}

/** A section counts as viewed once at least half of it stays in view this long. */
export const SECTION_DWELL_MS = 800;
/** Matches `.noteBubble { max-width }` (18rem). */
const BUBBLE_WIDTH = 288;

let measureContext: CanvasRenderingContext2D | null = null;
function measure(text: string, fontSize: number): number {
  measureContext ??= document.createElement('canvas').getContext('2d');
  if (!measureContext) return 0;
  measureContext.font = `${fontSize}px sans-serif`;
  return measureContext.measureText(text).width;
}

function union(boxes: Box[]): Box {
  const left = Math.min(...boxes.map((b) => b.left));
  const top = Math.min(...boxes.map((b) => b.top));
  const right = Math.max(...boxes.map((b) => b.left + b.width));
  const bottom = Math.max(...boxes.map((b) => b.top + b.height));
  return { left, top, width: right - left, height: bottom - top };
}

/** Boxes of the runs that contain `wanted` (or that a longer `wanted` spans), page-relative. */
function findText(runs: PageRun[], wanted: string): Box[] {
  const needle = wanted.toLowerCase();
  const boxes: Box[] = [];
  for (const run of runs) {
    const text = run.str.toLowerCase();
    if (!text.trim()) continue;
    const start = text.indexOf(needle);
    if (start >= 0) {
      // Measured prefix / match widths, stretched like the run; proportional by characters
      // when the text cannot be measured.
      const prefix = measure(run.str.slice(0, start), run.fontSize) * run.scaleX;
      const match = measure(run.str.slice(start, start + needle.length), run.fontSize) * run.scaleX;
      const measured = match > 0;
      boxes.push({
        left: run.left + (measured ? prefix : (start / text.length) * run.width),
        top: run.top,
        width: measured ? match : (needle.length / text.length) * run.width,
        height: run.height * 1.2,
      });
    } else if (needle.length > 3 && text.trim().length > 3 && needle.includes(text.trim())) {
      boxes.push({ ...run, height: run.height * 1.2 });
    }
  }
  return boxes;
}

/** The selected text, when the selection lies inside `container`. */
function selectedTextIn(container: HTMLElement | null): string {
  const selection = typeof window === 'undefined' ? null : window.getSelection();
  if (!container || !selection || selection.isCollapsed || selection.rangeCount === 0) return '';
  const range = selection.getRangeAt(0);
  if (!container.contains(range.commonAncestorContainer)) return '';
  return collapseWhitespace(selection.toString());
}

export function DocumentPanel({ state, update, emit }: PanelComponentProps<DocumentPanelState>) {
  const id = useId();
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const viewportRef = useRef<HTMLDivElement>(null);
  const textLayerRef = useRef<HTMLDivElement>(null);
  const [pdf, setPdf] = useState<PDFDocumentProxy | null>(null);
  const [loading, setLoading] = useState(false);
  const [pageText, setPageText] = useState<PageText | null>(null);
  const [size, setSize] = useState<{ width: number; height: number } | null>(null);
  const [selection, setSelection] = useState('');
  const [draft, setDraft] = useState<{ page: number; text: string; note: string } | null>(null);
  const [openNote, setOpenNote] = useState<number | null>(null);
  const { url, page, scale } = state;

  useEffect(() => {
    if (!url) return;
    let cancelled = false;
    let loaded: PDFDocumentProxy | null = null;
    queueMicrotask(() => !cancelled && setLoading(true));
    void loadPdfJs()
      .then((pdfjs) => pdfjs.getDocument({ url, isEvalSupported: false }).promise)
      .then((doc) => {
        loaded = doc;
        if (cancelled) return void doc.destroy();
        setPdf(doc);
        update((s) => {
          const current = s as DocumentPanelState;
          return {
            ...current,
            pageCount: doc.numPages,
            page: Math.min(current.page, doc.numPages),
            error: null,
          };
        });
      })
      .catch((error: unknown) => {
        if (cancelled) return;
        setPdf(null);
        update((s) => ({
          ...(s as DocumentPanelState),
          pageCount: 0,
          error: error instanceof Error ? error.message : 'Could not load the document',
        }));
      })
      .finally(() => !cancelled && setLoading(false));
    return () => {
      cancelled = true;
      void loaded?.destroy();
    };
  }, [url, update]);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!pdf || !canvas || page < 1 || page > pdf.numPages) return;
    let cancelled = false;
    let task: { cancel: () => void } | null = null;
    void (async () => {
      const pdfjs = await loadPdfJs();
      const pdfPage = await pdf.getPage(page);
      if (cancelled) return;
      const viewport = pdfPage.getViewport({ scale });
      const ratio = window.devicePixelRatio || 1;
      canvas.width = Math.floor(viewport.width * ratio);
      canvas.height = Math.floor(viewport.height * ratio);
      setSize({ width: viewport.width, height: viewport.height });
      const render = pdfPage.render({
        canvasContext: canvas.getContext('2d')!,
        viewport,
        transform: ratio === 1 ? undefined : [ratio, 0, 0, ratio, 0, 0],
      });
      task = render;
      await render.promise.catch(() => {});
      const content = await pdfPage.getTextContent();
      if (cancelled) return;
      const runs: PageRun[] = [];
      const sourceRuns = [];
      for (const item of content.items) {
        if (!('str' in item)) continue;
        const tx = pdfjs.Util.transform(viewport.transform, item.transform);
        const fontSize = Math.hypot(tx[2], tx[3]);
        const width = item.width * scale;
        const natural = item.str ? measure(item.str, fontSize) : 0;
        runs.push({
          str: item.str,
          left: tx[4],
          top: tx[5] - fontSize,
          width,
          height: fontSize,
          fontSize,
          scaleX: natural > 0 && width > 0 ? width / natural : 1,
        });
        sourceRuns.push({
          str: item.str,
          x: item.transform[4],
          y: item.transform[5],
          size: Math.hypot(item.transform[2], item.transform[3]),
          width: item.width,
        });
      }
      const sections = groupSections(sourceRuns).map((section) => ({
        ...section,
        box: union(section.runs.flatMap((i) => (runs[i] ? [runs[i]] : []))),
      }));
      setPageText({ page, runs, sections });
    })();
    return () => {
      cancelled = true;
      task?.cancel();
    };
  }, [pdf, page, scale]);

  const runs = useMemo(
    () => (pageText && pageText.page === page ? pageText.runs : []),
    [pageText, page],
  );
  const sections = pageText && pageText.page === page ? pageText.sections : null;

  const marks = useMemo(() => {
    const out: { mark: DocumentMark; index: number; first: Box; last: Box; boxes: Box[] }[] = [];
    state.annotations.forEach((mark, index) => {
      if (mark.page !== page) return;
      const boxes = findText(runs, mark.text);
      const [first, ...rest] = boxes;
      if (first) out.push({ mark, index, first, last: rest.at(-1) ?? first, boxes });
    });
    return out;
  }, [state.annotations, page, runs]);

  // section_viewed: once per section and document, after SECTION_DWELL_MS at ≥ 50 % in view.
  const viewedRef = useRef(new Set<string>());
  useEffect(() => {
    viewedRef.current = new Set();
  }, [url]);
  useEffect(() => {
    const root = viewportRef.current;
    const layer = textLayerRef.current;
    if (!root || !layer || !sections || sections.length === 0) return;
    if (typeof IntersectionObserver === 'undefined') return;
    const timers = new Map<number, ReturnType<typeof setTimeout>>();
    const fire = (section: DocumentSection) => {
      const key = `${page}:${section.index}`;
      if (viewedRef.current.has(key)) return;
      viewedRef.current.add(key);
      emit('section_viewed', {
        page,
        section: section.index,
        heading: section.heading,
        text: section.text,
      });
    };
    const observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          const index = Number((entry.target as HTMLElement).dataset.section);
          const section = sections.find((s) => s.index === index);
          if (!section) continue;
          const rootHeight = entry.rootBounds?.height ?? Infinity;
          const visible =
            entry.isIntersecting &&
            (entry.intersectionRatio >= 0.5 || entry.intersectionRect.height >= rootHeight * 0.5);
          const timer = timers.get(index);
          if (visible && timer === undefined) {
            timers.set(
              index,
              setTimeout(() => fire(section), SECTION_DWELL_MS),
            );
          } else if (!visible && timer !== undefined) {
            clearTimeout(timer);
            timers.delete(index);
          }
        }
      },
      { root, threshold: [0, 0.25, 0.5, 0.75, 1] },
    );
    for (const el of layer.querySelectorAll<HTMLElement>('[data-section]')) observer.observe(el);
    return () => {
      observer.disconnect();
      for (const timer of timers.values()) clearTimeout(timer);
    };
  }, [sections, page, emit]);

  // The Annotate action follows the text selection inside the page.
  useEffect(() => {
    const onChange = () => setSelection(selectedTextIn(textLayerRef.current));
    document.addEventListener('selectionchange', onChange);
    return () => document.removeEventListener('selectionchange', onChange);
  }, []);

  const startNote = () => {
    const text = selectedTextIn(textLayerRef.current) || selection;
    if (!text) return;
    setDraft({ page, text, note: '' });
  };

  const saveNote = useCallback(() => {
    if (!draft) return;
    let mark: DocumentNoteMark;
    try {
      ({ mark } = addDocumentNote(state, draft));
    } catch {
      return;
    }
    update((s) => {
      const current = s as DocumentPanelState;
      return { ...current, annotations: [...current.annotations, mark] };
    });
    emit('annotation_added', { ...mark });
    setDraft(null);
    window.getSelection()?.removeAllRanges();
  }, [draft, state, update, emit]);

  useEffect(() => {
    if (pdf && page >= 1) emit('page_viewed', { page, page_count: pdf.numPages });
  }, [emit, pdf, page]);

  const goTo = (target: number) => update((s) => ({ ...(s as DocumentPanelState), page: target }));
  const zoom = (factor: number) =>
    update((s) => ({
      ...(s as DocumentPanelState),
      scale: clampScale((s as DocumentPanelState).scale * factor),
    }));

  if (!url) return <div className={ui.empty}>No document yet — the agent will open one here.</div>;

  return (
    <div className={ui.body}>
      <div className={ui.toolbar}>
        <button
          type="button"
          className={ui.tool}
          aria-label="Previous page"
          data-testid="document-prev"
          disabled={page <= 1}
          onClick={() => goTo(page - 1)}
        >
          <ChevronLeftIcon size={16} />
        </button>
        <span className={ui.meta} data-testid="document-page">
          Page {page} of {state.pageCount || '…'}
        </span>
        <button
          type="button"
          className={ui.tool}
          aria-label="Next page"
          data-testid="document-next"
          disabled={state.pageCount === 0 || page >= state.pageCount}
          onClick={() => goTo(page + 1)}
        >
          <ChevronRightIcon size={16} />
        </button>
        <span className={ui.spacer} />
        <button
          type="button"
          className={ui.tool}
          data-testid="document-annotate"
          disabled={!selection || state.pageCount === 0}
          title="Select text on the page, then add a note"
          // Keep the page selection: a click would otherwise move focus and collapse it.
          onMouseDown={(event) => event.preventDefault()}
          onClick={startNote}
        >
          Annotate
        </button>
        <button
          type="button"
          className={ui.tool}
          aria-label="Zoom out"
          data-testid="document-zoom-out"
          onClick={() => zoom(1 / 1.25)}
        >
          −
        </button>
        <span className={ui.meta} data-testid="document-zoom">
          {Math.round(scale * 100)}%
        </span>
        <button
          type="button"
          className={ui.tool}
          aria-label="Zoom in"
          data-testid="document-zoom-in"
          onClick={() => zoom(1.25)}
        >
          +
        </button>
      </div>
      {draft && (
        <form
          className={styles.noteForm}
          data-testid="document-note-form"
          onSubmit={(event) => {
            event.preventDefault();
            saveNote();
          }}
        >
          <label htmlFor={`${id}-note`} className={styles.noteLabel}>
            Note on page {draft.page}:{' '}
            <q className={styles.noteQuote}>
              {draft.text.length > 80 ? `${draft.text.slice(0, 79)}…` : draft.text}
            </q>
          </label>
          <input
            id={`${id}-note`}
            className={styles.noteInput}
            data-testid="document-note-input"
            value={draft.note}
            maxLength={NOTE_MAX_CHARS}
            autoFocus
            autoComplete="off"
            onChange={(event) => setDraft({ ...draft, note: event.target.value })}
            onKeyDown={(event) => event.key === 'Escape' && setDraft(null)}
          />
          <button
            type="submit"
            className={ui.toolPrimary}
            data-testid="document-note-save"
            disabled={!draft.note.trim()}
          >
            Add note
          </button>
          <button
            type="button"
            className={ui.tool}
            data-testid="document-note-cancel"
            onClick={() => setDraft(null)}
          >
            Cancel
          </button>
        </form>
      )}
      <div
        ref={viewportRef}
        className={styles.viewport}
        data-testid="document-viewport"
        data-loading={loading}
      >
        {state.error ? (
          <p className={ui.error} role="alert" data-testid="document-error">
            {state.error}
          </p>
        ) : (
          <div
            className={styles.page}
            style={size ? { width: size.width, height: size.height } : undefined}
            data-testid="document-page-canvas"
          >
            <canvas
              ref={canvasRef}
              style={size ? { width: size.width, height: size.height } : undefined}
              aria-label={`Page ${page}`}
            />
            <div
              ref={textLayerRef}
              className={styles.textLayer}
              data-testid="document-text-layer"
              data-section-count={sections?.length ?? 0}
            >
              {runs.map((run, i) =>
                run.str ? (
                  <span
                    key={i}
                    style={{
                      left: run.left,
                      top: run.top,
                      fontSize: run.fontSize,
                      transform: `scaleX(${run.scaleX})`,
                    }}
                  >
                    {run.str}
                  </span>
                ) : null,
              )}
              {sections?.map((section) => (
                <div
                  key={section.index}
                  className={styles.section}
                  data-testid="document-section"
                  data-section={section.index}
                  style={section.box}
                  aria-hidden
                />
              ))}
            </div>
            {marks.map(({ mark, index, first, last, boxes }) =>
              mark.type === 'highlight' ? (
                boxes.map((box, i) => (
                  <span
                    key={`${index}-${i}`}
                    className={styles.highlight}
                    data-testid="document-highlight"
                    style={box}
                  />
                ))
              ) : (
                <span key={index}>
                  {boxes.map((box, i) => (
                    <span
                      key={i}
                      className={styles.noteMark}
                      data-testid="document-note-mark"
                      style={box}
                    />
                  ))}
                  <button
                    type="button"
                    className={styles.noteMarker}
                    data-testid="document-note-marker"
                    aria-label={`Note: ${mark.note}`}
                    aria-expanded={openNote === index}
                    style={{
                      left: first.left + first.width,
                      top: first.top - 10,
                    }}
                    onClick={() => setOpenNote(openNote === index ? null : index)}
                  >
                    ✎
                  </button>
                  {openNote === index && (
                    <span
                      className={styles.noteBubble}
                      data-testid="document-note-bubble"
                      role="note"
                      style={
                        // Beside the marker when it fits on the page, else under the passage.
                        first.left + first.width + 24 + BUBBLE_WIDTH <= (size?.width ?? 0)
                          ? { left: first.left + first.width + 24, top: first.top - 10 }
                          : { left: first.left, top: last.top + last.height + 4 }
                      }
                    >
                      {mark.note}
                    </span>
                  )}
                </span>
              ),
            )}
          </div>
        )}
      </div>
    </div>
  );
}
