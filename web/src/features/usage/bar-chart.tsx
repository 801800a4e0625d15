import styles from './usage.module.css';

export interface Bar {
  label: string;
  value: number;
}

/** Small dependency-free SVG bar chart (labels under bars, value on hover and for AT). */
export function BarChart({
  bars,
  format = (v) => v.toLocaleString(),
  title,
  testId,
}: {
  bars: Bar[];
  format?: (value: number) => string;
  title: string;
  testId?: string;
}) {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const width = Math.max(320, bars.length * 44);
  const height = 180;
  const barWidth = Math.min(32, (width / Math.max(1, bars.length)) * 0.6);
  return (
    <figure className={styles.chart} data-testid={testId}>
      <svg
        viewBox={`0 0 ${width} ${height + 36}`}
        role="img"
        aria-label={title}
        preserveAspectRatio="xMinYMin meet"
      >
        {[0.25, 0.5, 0.75, 1].map((f) => (
          <line
            key={f}
            x1={0}
            x2={width}
            y1={height - f * height}
            y2={height - f * height}
            className={styles.grid}
          />
        ))}
        {bars.map((b, i) => {
          const slot = width / bars.length;
          const h = (b.value / max) * (height - 10);
          const x = i * slot + (slot - barWidth) / 2;
          return (
            <g key={b.label}>
              <rect
                x={x}
                y={height - h}
                width={barWidth}
                height={Math.max(h, b.value ? 2 : 0)}
                rx={4}
                className={styles.bar}
              >
                <title>{`${b.label}: ${format(b.value)}`}</title>
              </rect>
              <text
                x={i * slot + slot / 2}
                y={height + 16}
                textAnchor="middle"
                className={styles.axis}
              >
                {b.label.length > 10 ? `${b.label.slice(0, 9)}…` : b.label}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption className={styles.caption}>Peak {format(max)}</figcaption>
    </figure>
  );
}
