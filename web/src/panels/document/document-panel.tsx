'use client';

import type { PDFDocumentProxy } from 'pdfjs-dist';
import { useEffect, useRef, useState } from 'react';
import type { PanelComponentProps } from '../types';
import { ChevronLeftIcon, ChevronRightIcon } from '../panel-icons';
import ui from '../panel-ui.module.css';
import { clampScale, type DocumentPanelState } from './document-state';
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

export function DocumentPanel({ state, update, emit }: PanelComponentProps<DocumentPanelState>) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [pdf, setPdf] = useState<PDFDocumentProxy | null>(null);
  const [loading, setLoading] = useState(false);
  const [marks, setMarks] = useState<Box[]>([]);
  const [size, setSize] = useState<{ width: number; height: number } | null>(null);
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

  const highlights = state.annotations.filter((mark) => mark.page === page);
  const highlightKey = highlights.map((mark) => mark.text).join('\u0000');

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
      const wanted = highlightKey ? highlightKey.split('\u0000').map((t) => t.toLowerCase()) : [];
      if (wanted.length === 0) return setMarks([]);
      const content = await pdfPage.getTextContent();
      if (cancelled) return;
      const boxes: Box[] = [];
      for (const item of content.items) {
        if (!('str' in item) || !item.str) continue;
        const text = item.str.toLowerCase();
        const hit = wanted.find(
          (w) => text.includes(w) || (w.length > 3 && w.includes(text) && text.length > 3),
        );
        if (!hit) continue;
        const tx = pdfjs.Util.transform(viewport.transform, item.transform);
        const height = Math.hypot(tx[2], tx[3]);
        const width = item.width * scale;
        const start = text.indexOf(hit);
        const offset = start > 0 ? (start / text.length) * width : 0;
        const span = start >= 0 ? (hit.length / text.length) * width : width;
        boxes.push({
          left: tx[4] + offset,
          top: tx[5] - height,
          width: span,
          height: height * 1.2,
        });
      }
      setMarks(boxes);
    })();
    return () => {
      cancelled = true;
      task?.cancel();
    };
  }, [pdf, page, scale, highlightKey]);

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
      <div className={styles.viewport} data-testid="document-viewport" data-loading={loading}>
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
            {marks.map((box, i) => (
              <span
                key={i}
                className={styles.highlight}
                data-testid="document-highlight"
                style={box}
              />
            ))}
          </div>
        )}
      </div>
    </div>
  );
}
