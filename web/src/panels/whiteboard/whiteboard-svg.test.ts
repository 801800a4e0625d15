import { describe, expect, it } from 'vitest';
import { boardToSvg } from './whiteboard-svg';
import type { BoardShape } from './whiteboard-state';

const shape = (fields: Partial<BoardShape>): BoardShape => ({
  id: 's',
  kind: 'rectangle',
  x: 10,
  y: 20,
  width: 100,
  height: 50,
  text: null,
  color: '#ff0000',
  author: 'agent',
  ...fields,
});

describe('whiteboard SVG export', () => {
  it('writes every kind of shape as SVG at board coordinates', () => {
    const svg = boardToSvg([
      shape({ kind: 'rectangle', x: 110, width: -100 }),
      shape({ kind: 'ellipse' }),
      shape({ kind: 'line' }),
      shape({ kind: 'arrow' }),
      shape({ kind: 'text', text: 'Hi <there>\nline 2' }),
      shape({ kind: 'freedraw', points: [0, 0, 5, 5, 10, 0] }),
    ]);
    const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
    expect(doc.getElementsByTagName('parsererror')).toHaveLength(0);
    const root = doc.documentElement;
    expect(root.getAttribute('viewBox')).toBe('0 0 1200 800');
    const rects = root.getElementsByTagName('rect');
    expect(rects[1]?.getAttribute('x')).toBe('10'); // negative width normalised
    expect(rects[1]?.getAttribute('width')).toBe('100');
    expect(root.getElementsByTagName('ellipse')[0]?.getAttribute('cx')).toBe('60');
    expect(root.getElementsByTagName('line')).toHaveLength(2);
    expect(root.getElementsByTagName('polygon')).toHaveLength(1); // the arrow head
    const text = root.getElementsByTagName('text')[0];
    expect(text?.textContent).toBe('Hi <there>line 2');
    expect(text?.getElementsByTagName('tspan')).toHaveLength(2);
    expect(root.getElementsByTagName('polyline')[0]?.getAttribute('points')).toBe(
      '10,20 15,25 20,20',
    );
  });

  it('escapes what a user or agent typed', () => {
    const svg = boardToSvg([shape({ kind: 'text', text: '"&\'<script>', color: 'red' })]);
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&quot;&amp;&apos;&lt;script&gt;');
  });
});
