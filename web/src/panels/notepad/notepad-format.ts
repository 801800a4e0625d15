/**
 * Notepad formatting as Markdown in the plain text: `**bold**`, `*italic*` and `- ` bullets.
 * Pure functions over (text, selection) so they are unit tested without a DOM; the text the
 * agent reads (`read_notepad`) is exactly what the textarea shows.
 */

export type InlineStyle = 'bold' | 'italic';

/** A text and the selection to restore in it. */
export interface TextEdit {
  text: string;
  start: number;
  end: number;
}

const MARKER: Record<InlineStyle, string> = { bold: '**', italic: '*' };

/** `**` and `***` runs carry bold; `*` and `***` runs carry italic. */
function runCarries(stars: number, style: InlineStyle): boolean {
  return style === 'bold' ? stars >= 2 : stars % 2 === 1;
}

function starsBefore(text: string, at: number, min: number): number {
  let n = 0;
  while (n < 3 && at - n - 1 >= min && text[at - n - 1] === '*') n++;
  return n;
}

function starsAfter(text: string, at: number, max: number): number {
  let n = 0;
  while (n < 3 && at + n < max && text[at + n] === '*') n++;
  return n;
}

interface Segment {
  start: number;
  end: number;
}

/** The selection split at line breaks, each part trimmed of surrounding whitespace. */
function segments(text: string, start: number, end: number): Segment[] {
  const out: Segment[] = [];
  let from = start;
  for (;;) {
    const newline = text.indexOf('\n', from);
    const to = newline === -1 || newline >= end ? end : newline;
    let s = from;
    let e = to;
    while (s < e && /\s/u.test(text[s]!)) s++;
    while (e > s && /\s/u.test(text[e - 1]!)) e--;
    if (e > s) out.push({ start: s, end: e });
    if (to === end) break;
    from = to + 1;
  }
  return out;
}

interface Span {
  /** Outer range, markers included. */
  outerStart: number;
  outerEnd: number;
  /** Inner range, markers excluded. */
  innerStart: number;
  innerEnd: number;
}

/**
 * How `style` is applied around / at the edges of a selected segment: markers just outside it
 * (`**|text|**`) or just inside it (`|**text**|`). Null when the segment does not carry it.
 */
function styledSpan(text: string, seg: Segment, style: InlineStyle): Span | null {
  const m = MARKER[style].length;
  const lineStart = text.lastIndexOf('\n', seg.start - 1) + 1;
  const lineEndRaw = text.indexOf('\n', seg.end);
  const lineEnd = lineEndRaw === -1 ? text.length : lineEndRaw;
  // Each side's markers may sit just outside the segment or just inside it.
  const leftOut = starsBefore(text, seg.start, lineStart);
  const rightOut = starsAfter(text, seg.end, lineEnd);
  const leftIn = leftOut > 0 ? 0 : starsAfter(text, seg.start, seg.end);
  const rightIn = rightOut > 0 ? 0 : starsBefore(text, seg.end, seg.start);
  const stars = Math.min(leftOut || leftIn, rightOut || rightIn);
  if (stars === 0 || !runCarries(stars, style)) return null;
  if (seg.end - seg.start <= leftIn + rightIn) return null;
  return {
    outerStart: leftOut > 0 ? seg.start - m : seg.start,
    innerStart: leftOut > 0 ? seg.start : seg.start + m,
    innerEnd: rightOut > 0 ? seg.end : seg.end - m,
    outerEnd: rightOut > 0 ? seg.end + m : seg.end,
  };
}

/** The styled span around a caret on its line (e.g. `**bo|ld**`), if any. */
function spanAtCaret(text: string, caret: number, style: InlineStyle): Span | null {
  const lineStart = text.lastIndexOf('\n', caret - 1) + 1;
  const lineEndRaw = text.indexOf('\n', caret);
  const line = text.slice(lineStart, lineEndRaw === -1 ? text.length : lineEndRaw);
  const pattern = /(\*{1,3})(?=[^\s*])(.*?[^\s*])\1(?!\*)/gu;
  for (const match of line.matchAll(pattern)) {
    const stars = match[1]!.length;
    const outerStart = lineStart + match.index;
    const outerEnd = outerStart + match[0].length;
    if (caret < outerStart + stars || caret > outerEnd - stars) continue;
    if (!runCarries(stars, style)) continue;
    const m = MARKER[style].length;
    // Remove the markers next to the text so `***x***` loses only this style's stars.
    return {
      outerStart: outerStart + stars - m,
      outerEnd: outerEnd - stars + m,
      innerStart: outerStart + stars,
      innerEnd: outerEnd - stars,
    };
  }
  return null;
}

/** Whether the selection (or the caret's surroundings) is formatted with `style`. */
export function hasStyle(text: string, start: number, end: number, style: InlineStyle): boolean {
  if (start === end) return spanAtCaret(text, start, style) !== null;
  const segs = segments(text, start, end);
  return segs.length > 0 && segs.every((seg) => styledSpan(text, seg, style) !== null);
}

/**
 * Bold / italic toggle, like Ctrl+B in an editor: wraps each selected line's text in the
 * markers, or removes them when every selected line already carries the style. With a caret,
 * removes the style of the span around it, else inserts an empty pair with the caret inside.
 */
export function toggleStyle(
  text: string,
  start: number,
  end: number,
  style: InlineStyle,
): TextEdit {
  const marker = MARKER[style];
  const m = marker.length;
  if (start === end) {
    const span = spanAtCaret(text, start, style);
    if (!span) {
      return {
        text: text.slice(0, start) + marker + marker + text.slice(start),
        start: start + m,
        end: start + m,
      };
    }
    const unwrapped =
      text.slice(0, span.outerStart) +
      text.slice(span.innerStart, span.innerEnd) +
      text.slice(span.outerEnd);
    const caret =
      Math.min(Math.max(start, span.innerStart), span.innerEnd) -
      (span.innerStart - span.outerStart);
    return { text: unwrapped, start: caret, end: caret };
  }

  const segs = segments(text, start, end);
  if (segs.length === 0) return { text, start, end };
  const spans = segs.map((seg) => styledSpan(text, seg, style));
  const remove = spans.every((span) => span !== null);

  let out = '';
  let pos = 0;
  let newStart = start;
  let newEnd = end;
  segs.forEach((seg, i) => {
    const span = spans[i];
    let innerFrom: number;
    let innerTo: number;
    if (span && !remove) {
      // Already styled while others are not: left as it is.
      innerFrom = out.length + (seg.start - pos);
      innerTo = out.length + (seg.end - pos);
    } else {
      const from = span ? span.outerStart : seg.start;
      const to = span ? span.outerEnd : seg.end;
      const inner = text.slice(span ? span.innerStart : seg.start, span ? span.innerEnd : seg.end);
      out += text.slice(pos, from);
      innerFrom = out.length + (span ? 0 : m);
      out += span ? inner : marker + inner + marker;
      innerTo = innerFrom + inner.length;
      pos = to;
    }
    if (i === 0) newStart = innerFrom;
    if (i === segs.length - 1) newEnd = innerTo;
  });
  out += text.slice(pos);
  return { text: out, start: newStart, end: newEnd };
}

const BULLET = /^(\s*)- /u;

function lineRange(text: string, start: number, end: number): { from: number; to: number } {
  // A selection that ends at the start of a line (after its newline) stops on the line before.
  const last = end > start && text[end - 1] === '\n' ? end - 1 : end;
  const from = text.lastIndexOf('\n', start - 1) + 1;
  const nl = text.indexOf('\n', last);
  return { from, to: nl === -1 ? text.length : nl };
}

/** Whether every non-empty selected line is a `- ` bullet. */
export function isBulletList(text: string, start: number, end: number): boolean {
  const { from, to } = lineRange(text, start, end);
  const lines = text.slice(from, to).split('\n');
  const filled = lines.filter((line) => line.trim() !== '');
  return filled.length > 0 && filled.every((line) => BULLET.test(line));
}

/**
 * Makes the selected lines a `- ` bullet list, or plain lines again when they all are
 * bullets already. Blank lines are left alone (unless the caret sits on one: it gets a bullet).
 */
export function toggleBulletList(text: string, start: number, end: number): TextEdit {
  const { from, to } = lineRange(text, start, end);
  const lines = text.slice(from, to).split('\n');
  const remove = isBulletList(text, start, end);
  const single = lines.length === 1;
  /** Inserted (+2) or removed (-2) bullet markers, by original offset. */
  const edits: { at: number; delta: number }[] = [];
  let offset = from;
  const out = lines.map((line) => {
    const lineStart = offset;
    offset += line.length + 1;
    const indent = /^\s*/u.exec(line)![0].length;
    if (remove) {
      if (!BULLET.test(line)) return line;
      edits.push({ at: lineStart + indent, delta: -2 });
      return line.slice(0, indent) + line.slice(indent + 2);
    }
    if ((line.trim() === '' && !single) || BULLET.test(line)) return line;
    edits.push({ at: lineStart + indent, delta: 2 });
    return `${line.slice(0, indent)}- ${line.slice(indent)}`;
  });
  const map = (original: number) => {
    let mapped = original;
    for (const { at, delta } of edits) {
      if (delta > 0 && original >= at) mapped += delta;
      else if (delta < 0 && original >= at + 2) mapped += delta;
      else if (delta < 0 && original > at) mapped -= original - at;
    }
    return mapped;
  };
  const newStart = map(start);
  const newEnd = map(end);
  return {
    text: text.slice(0, from) + out.join('\n') + text.slice(to),
    start: newStart,
    end: newEnd,
  };
}
