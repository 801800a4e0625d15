'use client';

import { useEffect, useRef, useState } from 'react';
import type { PanelComponentProps } from '../types';
import { RedoIcon, TrashIcon, UndoIcon } from '../panel-icons';
import ui from '../panel-ui.module.css';
import type { BoardTool, WhiteboardCanvasHandle } from './whiteboard-canvas';
import { WhiteboardCanvas } from './whiteboard-canvas';
import {
  newShapeId,
  redo,
  simplifyShape,
  undo,
  withShapes,
  type WhiteboardPanelState,
} from './whiteboard-state';
import { boardToSvg } from './whiteboard-svg';
import styles from './whiteboard.module.css';

/** Saves `blob` as a file through a temporary link (the browser's download). */
function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

function pngBlob(base64: string): Blob {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return new Blob([bytes], { type: 'image/png' });
}

const TOOLS: { tool: BoardTool; label: string; glyph: string }[] = [
  { tool: 'pen', label: 'Pen', glyph: '✎' },
  { tool: 'rectangle', label: 'Rectangle', glyph: '▭' },
  { tool: 'ellipse', label: 'Ellipse', glyph: '◯' },
  { tool: 'arrow', label: 'Arrow', glyph: '→' },
  { tool: 'text', label: 'Text', glyph: 'T' },
];
const DEFAULT_COLOR = '#1e1e2e';
const COLORS = [DEFAULT_COLOR, '#e03131', '#2f9e44', '#1971c2', '#f08c00', '#7048e8'];

export function WhiteboardPanel({
  state,
  update,
  emitDebounced,
  setSnapshotProvider,
  pointer,
}: PanelComponentProps<WhiteboardPanelState>) {
  const canvas = useRef<WhiteboardCanvasHandle | null>(null);
  const [tool, setTool] = useState<BoardTool>('pen');
  const [color, setColor] = useState<string>(DEFAULT_COLOR);
  const [textInput, setTextInput] = useState<{
    board: { x: number; y: number };
    screen: { x: number; y: number };
    value: string;
  } | null>(null);

  const change = (updater: (s: WhiteboardPanelState) => WhiteboardPanelState) => {
    update((s) => {
      const next = updater(s as WhiteboardPanelState);
      if (next !== s) {
        emitDebounced('drawing_changed', {
          shape_count: next.shapes.length,
          last: next.shapes.at(-1) ? simplifyShape(next.shapes.at(-1)!) : null,
        });
      }
      return next;
    });
  };

  // read_panel gets a PNG of exactly what is on the board now.
  useEffect(() => {
    setSnapshotProvider(async (s) => ({ ...s, png: canvas.current?.toPngBase64() ?? null }));
    return () => setSnapshotProvider(null);
  }, [setSnapshotProvider]);

  // `whiteboard.export` from the agent: render the PNG into state.
  useEffect(() => {
    if (state.exportRequest === 0) return;
    const png = canvas.current?.toPngBase64() ?? null;
    update((s) => ({ ...(s as WhiteboardPanelState), png }));
  }, [state.exportRequest, update]);

  const commitText = () => {
    if (textInput && textInput.value.trim()) {
      const { board, value } = textInput;
      change((s) =>
        withShapes(s, [
          ...s.shapes,
          {
            id: newShapeId('user'),
            kind: 'text',
            x: board.x,
            y: board.y - 14,
            width: 0,
            height: 30,
            text: value.trim(),
            color,
            author: 'user',
          },
        ]),
      );
    }
    setTextInput(null);
  };

  return (
    <div className={ui.body}>
      <div className={ui.toolbar} role="toolbar" aria-label="Drawing tools">
        {TOOLS.map(({ tool: t, label, glyph }) => (
          <button
            key={t}
            type="button"
            className={ui.tool}
            aria-pressed={tool === t}
            aria-label={label}
            title={label}
            data-testid={`whiteboard-tool-${t}`}
            onClick={() => setTool(t)}
          >
            <span aria-hidden="true" className={styles.glyph}>
              {glyph}
            </span>
          </button>
        ))}
        <span className={styles.divider} />
        {COLORS.map((c) => (
          <button
            key={c}
            type="button"
            className={styles.swatch}
            style={{ background: c }}
            aria-pressed={color === c}
            aria-label={`Colour ${c}`}
            onClick={() => setColor(c)}
          />
        ))}
        <span className={ui.spacer} />
        <button
          type="button"
          className={ui.tool}
          aria-label="Undo"
          title="Undo"
          data-testid="whiteboard-undo"
          disabled={state.past.length === 0}
          onClick={() => change(undo)}
        >
          <UndoIcon size={16} />
        </button>
        <button
          type="button"
          className={ui.tool}
          aria-label="Redo"
          title="Redo"
          data-testid="whiteboard-redo"
          disabled={state.future.length === 0}
          onClick={() => change(redo)}
        >
          <RedoIcon size={16} />
        </button>
        <button
          type="button"
          className={ui.tool}
          aria-label="Clear board"
          title="Clear board"
          data-testid="whiteboard-clear"
          disabled={state.shapes.length === 0}
          onClick={() => change((s) => withShapes(s, []))}
        >
          <TrashIcon size={16} />
        </button>
      </div>
      <div
        className={styles.board}
        data-testid="whiteboard-canvas"
        data-shape-count={state.shapes.length}
      >
        <WhiteboardCanvas
          shapes={state.shapes}
          tool={tool}
          color={color}
          handleRef={canvas}
          onCommit={(shape) =>
            change((s) =>
              withShapes(s, [...s.shapes, { ...shape, id: newShapeId('user'), author: 'user' }]),
            )
          }
          onRequestText={(board, screen) => setTextInput({ board, screen, value: '' })}
          onPointer={pointer}
        />
        {textInput && (
          <input
            autoFocus
            className={styles.textInput}
            style={{ left: textInput.screen.x, top: textInput.screen.y }}
            aria-label="Text to place on the board"
            data-testid="whiteboard-text-input"
            value={textInput.value}
            onChange={(event) => setTextInput({ ...textInput, value: event.target.value })}
            onBlur={commitText}
            onKeyDown={(event) => {
              if (event.key === 'Enter') commitText();
              if (event.key === 'Escape') setTextInput(null);
            }}
          />
        )}
      </div>
      <div className={ui.toolbarBottom}>
        <span className={ui.meta} data-testid="whiteboard-count">
          {state.shapes.length} {state.shapes.length === 1 ? 'element' : 'elements'}
        </span>
        <span className={ui.spacer} />
        <button
          type="button"
          className={styles.export}
          data-testid="whiteboard-export-svg"
          title="Download the board as an SVG drawing"
          disabled={state.shapes.length === 0}
          onClick={() =>
            download(
              new Blob([boardToSvg(state.shapes)], { type: 'image/svg+xml' }),
              'whiteboard.svg',
            )
          }
        >
          SVG
        </button>
        <button
          type="button"
          className={styles.export}
          data-testid="whiteboard-export-png"
          title="Download the board as a PNG picture"
          disabled={state.shapes.length === 0}
          onClick={() => {
            const png = canvas.current?.toPngBase64();
            if (png) download(pngBlob(png), 'whiteboard.png');
          }}
        >
          PNG
        </button>
      </div>
    </div>
  );
}
