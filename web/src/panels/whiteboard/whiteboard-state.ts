import type { PanelCommand, Shape, WhiteboardState } from '@/contracts';
import { commandError, requireNumber, unexpectedOp } from '../types';

export type BoardShapeKind = Shape['kind'] | 'freedraw';

/** One element on the board; `points` (flat x,y pairs, relative to x/y) only for freedraw. */
export interface BoardShape {
  id: string;
  kind: BoardShapeKind;
  x: number;
  y: number;
  width: number;
  height: number;
  text: string | null;
  color: string;
  points?: number[];
  author: 'agent' | 'user';
}

export interface WhiteboardPanelState {
  shapes: BoardShape[];
  past: BoardShape[][];
  future: BoardShape[][];
  png: string | null;
  /** Incremented by `whiteboard.export`; the component renders a fresh PNG when it changes. */
  exportRequest: number;
}

export const BOARD_WIDTH = 1200;
export const BOARD_HEIGHT = 800;
const MAX_HISTORY = 100;
const SHAPE_KINDS: readonly Shape['kind'][] = ['rectangle', 'ellipse', 'line', 'arrow', 'text'];
const COLOR = /^(#[0-9a-f]{3,8}|[a-z]+)$/iu;

export const initialWhiteboardState = (): WhiteboardPanelState => ({
  shapes: [],
  past: [],
  future: [],
  png: null,
  exportRequest: 0,
});

let nextId = 0;
export function newShapeId(prefix: string): string {
  nextId += 1;
  return `${prefix}-${Date.now().toString(36)}-${nextId}`;
}

/** Records `shapes` as the new board, keeping the previous one for undo. */
export function withShapes(
  state: WhiteboardPanelState,
  shapes: BoardShape[],
): WhiteboardPanelState {
  return {
    ...state,
    shapes,
    past: [...state.past, state.shapes].slice(-MAX_HISTORY),
    future: [],
    png: null,
  };
}

export function undo(state: WhiteboardPanelState): WhiteboardPanelState {
  const previous = state.past.at(-1);
  if (!previous) return state;
  return {
    ...state,
    shapes: previous,
    past: state.past.slice(0, -1),
    future: [state.shapes, ...state.future],
    png: null,
  };
}

export function redo(state: WhiteboardPanelState): WhiteboardPanelState {
  const [next, ...rest] = state.future;
  if (!next) return state;
  return { ...state, shapes: next, past: [...state.past, state.shapes], future: rest, png: null };
}

function parseShape(value: unknown, position: number): BoardShape {
  if (typeof value !== 'object' || value === null)
    commandError(`shapes[${position}] must be an object`);
  const shape = value as Record<string, unknown>;
  const kind = shape.kind as Shape['kind'];
  if (!SHAPE_KINDS.includes(kind))
    commandError(`shapes[${position}].kind "${String(kind)}" is unknown`);
  const color = shape.color ?? '#1e1e2e';
  if (typeof color !== 'string' || !COLOR.test(color))
    commandError(`shapes[${position}].color is not a colour`);
  const text = shape.text ?? null;
  if (text !== null && typeof text !== 'string')
    commandError(`shapes[${position}].text must be a string`);
  if (kind === 'text' && !text) commandError(`shapes[${position}] is text without "text"`);
  const limit = 10_000;
  return {
    id: newShapeId('agent'),
    kind,
    x: requireNumber(shape.x, `shapes[${position}].x`, -limit, limit),
    y: requireNumber(shape.y, `shapes[${position}].y`, -limit, limit),
    width: requireNumber(shape.width ?? 0, `shapes[${position}].width`, -limit, limit),
    height: requireNumber(shape.height ?? 0, `shapes[${position}].height`, -limit, limit),
    text,
    color,
    author: 'agent',
  };
}

export function applyWhiteboardCommand(
  state: WhiteboardPanelState,
  command: PanelCommand,
): WhiteboardPanelState {
  switch (command.op) {
    case 'whiteboard.draw': {
      if (
        !Array.isArray(command.shapes) ||
        command.shapes.length === 0 ||
        command.shapes.length > 200
      ) {
        commandError('"shapes" must be a list of 1 to 200 shapes');
      }
      return withShapes(state, [...state.shapes, ...command.shapes.map(parseShape)]);
    }
    case 'whiteboard.clear':
      return state.shapes.length === 0 ? state : withShapes(state, []);
    case 'whiteboard.undo':
      return undo(state);
    case 'whiteboard.redo':
      return redo(state);
    case 'whiteboard.export':
      return { ...state, exportRequest: state.exportRequest + 1 };
    default:
      return unexpectedOp('whiteboard', command);
  }
}

export function simplifyShape(shape: BoardShape): Record<string, unknown> {
  const simple: Record<string, unknown> = {
    kind: shape.kind,
    x: Math.round(shape.x),
    y: Math.round(shape.y),
    width: Math.round(shape.width),
    height: Math.round(shape.height),
    text: shape.text,
    color: shape.color,
    author: shape.author,
  };
  return simple;
}

export function readWhiteboardState(state: WhiteboardPanelState): WhiteboardState {
  return {
    panel: 'whiteboard',
    shape_count: state.shapes.length,
    shapes: state.shapes.map(simplifyShape),
    png_base64: state.png,
  };
}
