import { BOARD_HEIGHT, BOARD_WIDTH, type BoardShape } from './whiteboard-state';

/** Drawn the way the canvas draws them (whiteboard-canvas.tsx): same stroke, font, arrow head. */
const STROKE = 3;
const FONT_SIZE = 26;
const FONT = 'Inter Variable, Inter, system-ui, sans-serif';
const ARROW_LENGTH = 14;
const ARROW_WIDTH = 12;

function escapeXml(text: string): string {
  return text
    .replace(/&/gu, '&amp;')
    .replace(/</gu, '&lt;')
    .replace(/>/gu, '&gt;')
    .replace(/"/gu, '&quot;')
    .replace(/'/gu, '&apos;');
}

const n = (value: number) => String(Math.round(value * 100) / 100);

function stroke(color: string): string {
  return `stroke="${escapeXml(color)}" stroke-width="${STROKE}" fill="none" stroke-linecap="round" stroke-linejoin="round"`;
}

function arrowHead(shape: BoardShape): string {
  const x2 = shape.x + shape.width;
  const y2 = shape.y + shape.height;
  const angle = Math.atan2(shape.height, shape.width);
  const bx = x2 - ARROW_LENGTH * Math.cos(angle);
  const by = y2 - ARROW_LENGTH * Math.sin(angle);
  const dx = (ARROW_WIDTH / 2) * Math.sin(angle);
  const dy = (ARROW_WIDTH / 2) * Math.cos(angle);
  const points = [x2, y2, bx + dx, by - dy, bx - dx, by + dy].map(n).join(' ');
  return `<polygon points="${points}" fill="${escapeXml(shape.color)}"/>`;
}

function shapeSvg(shape: BoardShape): string {
  switch (shape.kind) {
    case 'rectangle': {
      const x = Math.min(shape.x, shape.x + shape.width);
      const y = Math.min(shape.y, shape.y + shape.height);
      return `<rect x="${n(x)}" y="${n(y)}" width="${n(Math.abs(shape.width))}" height="${n(Math.abs(shape.height))}" rx="6" ${stroke(shape.color)}/>`;
    }
    case 'ellipse':
      return `<ellipse cx="${n(shape.x + shape.width / 2)}" cy="${n(shape.y + shape.height / 2)}" rx="${n(Math.abs(shape.width / 2))}" ry="${n(Math.abs(shape.height / 2))}" ${stroke(shape.color)}/>`;
    case 'line':
      return `<line x1="${n(shape.x)}" y1="${n(shape.y)}" x2="${n(shape.x + shape.width)}" y2="${n(shape.y + shape.height)}" ${stroke(shape.color)}/>`;
    case 'arrow':
      return `<g><line x1="${n(shape.x)}" y1="${n(shape.y)}" x2="${n(shape.x + shape.width)}" y2="${n(shape.y + shape.height)}" ${stroke(shape.color)}/>${arrowHead(shape)}</g>`;
    case 'text': {
      const lines = (shape.text ?? '').split('\n');
      const spans = lines
        .map(
          (line, i) =>
            `<tspan x="${n(shape.x)}" dy="${i === 0 ? FONT_SIZE : FONT_SIZE * 1.2}">${escapeXml(line)}</tspan>`,
        )
        .join('');
      return `<text x="${n(shape.x)}" y="${n(shape.y)}" fill="${escapeXml(shape.color)}" font-size="${FONT_SIZE}" font-family="${escapeXml(FONT)}">${spans}</text>`;
    }
    case 'freedraw': {
      const points = shape.points ?? [];
      const pairs: string[] = [];
      for (let i = 0; i + 1 < points.length; i += 2) {
        pairs.push(`${n(shape.x + (points[i] ?? 0))},${n(shape.y + (points[i + 1] ?? 0))}`);
      }
      return `<polyline points="${pairs.join(' ')}" ${stroke(shape.color)}/>`;
    }
  }
}

/** The board as a standalone SVG document (the 1200×800 board, white background). */
export function boardToSvg(shapes: BoardShape[]): string {
  const body = shapes.map(shapeSvg).join('\n  ');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${BOARD_WIDTH}" height="${BOARD_HEIGHT}" viewBox="0 0 ${BOARD_WIDTH} ${BOARD_HEIGHT}">`,
    `  <rect width="100%" height="100%" fill="#ffffff"/>`,
    `  ${body}`,
    `</svg>`,
    '',
  ].join('\n');
}
