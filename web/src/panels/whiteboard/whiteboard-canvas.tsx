'use client';

import type Konva from 'konva';
import { useEffect, useRef, useState } from 'react';
import { Arrow, Ellipse, Layer, Line, Rect, Stage, Text } from 'react-konva';
import { BOARD_HEIGHT, BOARD_WIDTH, type BoardShape } from './whiteboard-state';

export type BoardTool = 'pen' | 'rectangle' | 'ellipse' | 'arrow' | 'text';

const STROKE = 3;
const FONT_SIZE = 26;

function ShapeNode({ shape }: { shape: BoardShape }) {
  const common = { stroke: shape.color, strokeWidth: STROKE, listening: false } as const;
  switch (shape.kind) {
    case 'rectangle':
      return (
        <Rect
          x={shape.x}
          y={shape.y}
          width={shape.width}
          height={shape.height}
          cornerRadius={6}
          {...common}
        />
      );
    case 'ellipse':
      return (
        <Ellipse
          x={shape.x + shape.width / 2}
          y={shape.y + shape.height / 2}
          radiusX={Math.abs(shape.width / 2)}
          radiusY={Math.abs(shape.height / 2)}
          {...common}
        />
      );
    case 'line':
      return (
        <Line
          x={shape.x}
          y={shape.y}
          points={[0, 0, shape.width, shape.height]}
          lineCap="round"
          {...common}
        />
      );
    case 'arrow':
      return (
        <Arrow
          x={shape.x}
          y={shape.y}
          points={[0, 0, shape.width, shape.height]}
          fill={shape.color}
          pointerLength={14}
          pointerWidth={12}
          lineCap="round"
          {...common}
        />
      );
    case 'text':
      return (
        <Text
          x={shape.x}
          y={shape.y}
          text={shape.text ?? ''}
          fill={shape.color}
          fontSize={FONT_SIZE}
          fontFamily="Inter Variable, Inter, system-ui, sans-serif"
          width={shape.width > 0 ? shape.width : undefined}
          listening={false}
        />
      );
    case 'freedraw':
      return (
        <Line
          x={shape.x}
          y={shape.y}
          points={shape.points ?? []}
          tension={0.4}
          lineCap="round"
          lineJoin="round"
          {...common}
        />
      );
  }
}

export interface WhiteboardCanvasHandle {
  toPngBase64: () => string | null;
}

/**
 * The board is a fixed 1200×800 logical canvas scaled to fit its panel, so agent coordinates
 * mean the same thing at every panel size and in the exported PNG.
 */
export function WhiteboardCanvas({
  shapes,
  tool,
  color,
  onCommit,
  onRequestText,
  handleRef,
  onPointer,
}: {
  shapes: BoardShape[];
  tool: BoardTool;
  color: string;
  onCommit: (shape: Omit<BoardShape, 'id' | 'author'>) => void;
  onRequestText: (board: { x: number; y: number }, screen: { x: number; y: number }) => void;
  handleRef: React.RefObject<WhiteboardCanvasHandle | null>;
  /** Every pointer move over the board (board units) and the stroke being drawn, for the
   * lossy pointer updates to the agent. */
  onPointer?: (update: { x: number; y: number; drawing: boolean; stroke: number[] }) => void;
}) {
  const containerRef = useRef<HTMLDivElement>(null);
  const stageRef = useRef<Konva.Stage>(null);
  const [width, setWidth] = useState(600);
  const [draft, setDraftState] = useState<Omit<BoardShape, 'id' | 'author'> | null>(null);
  // Pointer events can arrive faster than React re-renders: the stroke lives in a ref.
  const draftRef = useRef<Omit<BoardShape, 'id' | 'author'> | null>(null);
  const setDraft = (next: Omit<BoardShape, 'id' | 'author'> | null) => {
    draftRef.current = next;
    setDraftState(next);
  };
  const scale = width / BOARD_WIDTH;

  useEffect(() => {
    const element = containerRef.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => {
      if (!entry) return;
      const box = entry.contentRect;
      setWidth(
        Math.max(200, Math.floor(Math.min(box.width, (box.height * BOARD_WIDTH) / BOARD_HEIGHT))),
      );
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    handleRef.current = {
      toPngBase64: () => {
        const stage = stageRef.current;
        if (!stage) return null;
        const url = stage.toDataURL({ pixelRatio: 1 / scale, mimeType: 'image/png' });
        return url.slice(url.indexOf(',') + 1);
      },
    };
  }, [handleRef, scale]);

  const boardPoint = () => {
    const pointer = stageRef.current?.getPointerPosition();
    return pointer ? { x: pointer.x / scale, y: pointer.y / scale } : null;
  };

  const onDown = () => {
    const point = boardPoint();
    if (!point) return;
    if (tool === 'text') {
      onRequestText(point, { x: point.x * scale, y: point.y * scale });
      return;
    }
    setDraft({
      kind: tool === 'pen' ? 'freedraw' : tool,
      x: point.x,
      y: point.y,
      width: 0,
      height: 0,
      text: null,
      color,
      points: tool === 'pen' ? [0, 0] : undefined,
    });
  };

  const onMove = () => {
    const point = boardPoint();
    const draft = draftRef.current;
    if (point && onPointer) {
      const stroke =
        draft?.kind === 'freedraw'
          ? (draft.points ?? []).map((v, i) => v + (i % 2 === 0 ? draft.x : draft.y))
          : [];
      onPointer({ x: point.x, y: point.y, drawing: draft !== null, stroke });
    }
    if (!draft || !point) return;
    if (draft.kind === 'freedraw') {
      setDraft({
        ...draft,
        points: [...(draft.points ?? []), point.x - draft.x, point.y - draft.y],
      });
    } else {
      setDraft({ ...draft, width: point.x - draft.x, height: point.y - draft.y });
    }
  };

  const onUp = () => {
    const draft = draftRef.current;
    if (!draft) return;
    setDraft(null);
    if (draft.kind === 'freedraw') {
      const xs = (draft.points ?? []).filter((_, i) => i % 2 === 0);
      const ys = (draft.points ?? []).filter((_, i) => i % 2 === 1);
      onCommit({
        ...draft,
        width: Math.max(...xs) - Math.min(...xs),
        height: Math.max(...ys) - Math.min(...ys),
      });
    } else if (Math.abs(draft.width) > 3 || Math.abs(draft.height) > 3) {
      onCommit(draft);
    }
  };

  return (
    <div
      ref={containerRef}
      style={{ position: 'absolute', inset: 0, display: 'grid', placeItems: 'center' }}
    >
      <Stage
        ref={stageRef}
        width={width}
        height={(width * BOARD_HEIGHT) / BOARD_WIDTH}
        scaleX={scale}
        scaleY={scale}
        onMouseDown={onDown}
        onMouseMove={onMove}
        onMouseUp={onUp}
        onMouseLeave={onUp}
        onTouchStart={onDown}
        onTouchMove={onMove}
        onTouchEnd={onUp}
        style={{ cursor: tool === 'text' ? 'text' : 'crosshair', touchAction: 'none' }}
      >
        <Layer>
          <Rect
            x={0}
            y={0}
            width={BOARD_WIDTH}
            height={BOARD_HEIGHT}
            fill="#ffffff"
            listening={false}
          />
          {shapes.map((shape) => (
            <ShapeNode key={shape.id} shape={shape} />
          ))}
          {draft && <ShapeNode shape={{ ...draft, id: 'draft', author: 'user' }} />}
        </Layer>
      </Stage>
    </div>
  );
}
