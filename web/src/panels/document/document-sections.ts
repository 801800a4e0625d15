/**
 * Sections of a PDF page, derived from PDF.js text content: a heading is a line whose font is
 * clearly larger than the page's body text (the size that carries the most characters); a
 * section is a heading plus the lines under it, up to the next heading. Lines above the first
 * heading form a section without a heading; a page without headings is one section.
 */

/** One PDF.js text item in PDF user space (y grows upwards). */
export interface TextRun {
  str: string;
  x: number;
  y: number;
  /** Font height. */
  size: number;
  width: number;
}

export interface DocumentSection {
  /** 1-based, in reading order on the page. */
  index: number;
  heading: string | null;
  /** Heading and body, whitespace collapsed, at most SECTION_TEXT_MAX characters. */
  text: string;
  /** Indexes into the runs passed to `groupSections`. */
  runs: number[];
}

export const SECTION_TEXT_MAX = 400;
const HEADING_RATIO = 1.15;

export const collapseWhitespace = (text: string) => text.replace(/\s+/gu, ' ').trim();

interface Line {
  y: number;
  size: number;
  runs: number[];
  text: string;
}

export function groupSections(runs: readonly TextRun[]): DocumentSection[] {
  const lines: Line[] = [];
  runs.forEach((run, i) => {
    if (run.str.trim() === '') return;
    const last = lines.at(-1);
    if (last && Math.abs(last.y - run.y) < Math.max(last.size, run.size) * 0.5) {
      last.runs.push(i);
      last.size = Math.max(last.size, run.size);
      last.text = `${last.text} ${run.str}`;
    } else {
      lines.push({ y: run.y, size: run.size, runs: [i], text: run.str });
    }
  });
  if (lines.length === 0) return [];

  const charsBySize = new Map<number, number>();
  for (const line of lines) {
    const size = Math.round(line.size * 10) / 10;
    charsBySize.set(size, (charsBySize.get(size) ?? 0) + line.text.length);
  }
  const bodySize =
    [...charsBySize.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0] ?? 0;

  const groups: { heading: string | null; lines: Line[] }[] = [];
  for (const line of lines) {
    const isHeading = line.size > bodySize * HEADING_RATIO;
    if (isHeading || groups.length === 0) {
      groups.push({ heading: isHeading ? collapseWhitespace(line.text) : null, lines: [line] });
    } else {
      groups.at(-1)!.lines.push(line);
    }
  }
  return groups.map((group, i) => {
    const text = collapseWhitespace(group.lines.map((line) => line.text).join(' '));
    return {
      index: i + 1,
      heading: group.heading,
      text: text.length > SECTION_TEXT_MAX ? `${text.slice(0, SECTION_TEXT_MAX - 1)}…` : text,
      runs: group.lines.flatMap((line) => line.runs),
    };
  });
}
