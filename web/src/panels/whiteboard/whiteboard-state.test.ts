import { describe, expect, it } from 'vitest';
import type { PanelCommand } from '@/contracts';
import {
  applyWhiteboardCommand,
  initialWhiteboardState,
  readWhiteboardState,
} from './whiteboard-state';

const draw = (kind = 'rectangle'): PanelCommand =>
  ({
    op: 'whiteboard.draw',
    shapes: [
      {
        kind,
        x: 10,
        y: 20,
        width: 30,
        height: 40,
        text: kind === 'text' ? 'Hi' : null,
        color: '#ff0000',
      },
    ],
  }) as PanelCommand;

describe('whiteboard reducer', () => {
  it('draws agent shapes and reports simplified state', () => {
    const state = applyWhiteboardCommand(initialWhiteboardState(), draw());
    expect(readWhiteboardState(state)).toEqual({
      panel: 'whiteboard',
      shape_count: 1,
      shapes: [
        {
          kind: 'rectangle',
          x: 10,
          y: 20,
          width: 30,
          height: 40,
          text: null,
          color: '#ff0000',
          author: 'agent',
        },
      ],
      png_base64: null,
    });
  });

  it('undoes and redoes draw and clear', () => {
    let state = applyWhiteboardCommand(initialWhiteboardState(), draw());
    state = applyWhiteboardCommand(state, draw('ellipse'));
    state = applyWhiteboardCommand(state, { op: 'whiteboard.clear' });
    expect(state.shapes).toHaveLength(0);
    state = applyWhiteboardCommand(state, { op: 'whiteboard.undo' });
    expect(state.shapes).toHaveLength(2);
    state = applyWhiteboardCommand(state, { op: 'whiteboard.undo' });
    expect(state.shapes).toHaveLength(1);
    state = applyWhiteboardCommand(state, { op: 'whiteboard.redo' });
    expect(state.shapes).toHaveLength(2);
    const drawn = applyWhiteboardCommand(state, draw());
    expect(drawn.future).toEqual([]);
  });

  it('export bumps the request counter', () => {
    expect(
      applyWhiteboardCommand(initialWhiteboardState(), { op: 'whiteboard.export' }).exportRequest,
    ).toBe(1);
  });

  it('rejects invalid shapes', () => {
    expect(() => applyWhiteboardCommand(initialWhiteboardState(), draw('star'))).toThrow(/kind/);
    expect(() =>
      applyWhiteboardCommand(initialWhiteboardState(), {
        op: 'whiteboard.draw',
        shapes: [{ kind: 'text', x: 0, y: 0, width: 0, height: 0, text: null, color: '#000' }],
      } as PanelCommand),
    ).toThrow(/text/);
    expect(() =>
      applyWhiteboardCommand(initialWhiteboardState(), {
        op: 'whiteboard.draw',
        shapes: [{ kind: 'line', x: 'a', y: 0, width: 0, height: 0, text: null, color: '#000' }],
      } as never),
    ).toThrow(/x/);
  });
});
