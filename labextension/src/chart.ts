/**
 * A small SVG line chart of one metric over steps, drawn with theme colours.
 */
import { MetricPoint } from './models';

const SVG = 'http://www.w3.org/2000/svg';

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number>
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes)) {
    element.setAttribute(key, String(value));
  }
  return element;
}

/** Format a number for a label: short, without noise digits. */
export function formatValue(value: number): string {
  if (value === 0 || (Math.abs(value) >= 0.001 && Math.abs(value) < 1e5)) {
    return String(Number(value.toPrecision(4)));
  }
  return value.toExponential(2);
}

/**
 * One chart: the metric's values (y) against their steps (x), with the first and
 * last value written at the ends. Fewer than two points draw a dot.
 */
export function metricChart(name: string, points: MetricPoint[], width = 260, height = 70): HTMLElement {
  const box = document.createElement('figure');
  box.className = 'jp-JupyterExt-chart';
  box.dataset.metric = name;
  const caption = document.createElement('figcaption');
  const last = points[points.length - 1];
  caption.textContent = last ? `${name}  ${formatValue(last.value)}` : name;
  box.append(caption);
  const chart = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img' });
  chart.setAttribute('aria-label', `${name} over ${points.length} steps`);
  if (points.length) {
    const pad = 4;
    const steps = points.map(p => p.step);
    const values = points.map(p => p.value);
    const [x0, x1] = [Math.min(...steps), Math.max(...steps)];
    const [y0, y1] = [Math.min(...values), Math.max(...values)];
    const x = (s: number) => pad + ((s - x0) / (x1 - x0 || 1)) * (width - 2 * pad);
    const y = (v: number) => height - pad - ((v - y0) / (y1 - y0 || 1)) * (height - 2 * pad);
    chart.append(svg('line', { x1: pad, x2: width - pad, y1: height - pad, y2: height - pad, class: 'jp-JupyterExt-axis' }));
    if (points.length === 1) {
      chart.append(svg('circle', { cx: width / 2, cy: height / 2, r: 3, class: 'jp-JupyterExt-dot' }));
    } else {
      const path = points.map((p, i) => `${i ? 'L' : 'M'}${x(p.step).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
      chart.append(svg('path', { d: path, class: 'jp-JupyterExt-line' }));
    }
  }
  box.append(chart);
  return box;
}

/** Group metric points by metric name, in the order names first appear. */
export function bySeries(points: MetricPoint[]): Map<string, MetricPoint[]> {
  const series = new Map<string, MetricPoint[]>();
  for (const point of points) {
    const list = series.get(point.name) ?? [];
    list.push(point);
    series.set(point.name, list);
  }
  return series;
}

/** A scatter of (x, y) points with a title per dot; used for a metric against a parameter. */
export function scatterChart(
  title: string,
  points: { x: number; y: number; label: string }[],
  width = 260,
  height = 120
): HTMLElement {
  const box = document.createElement('figure');
  box.className = 'jp-JupyterExt-chart jp-JupyterExt-scatter';
  const caption = document.createElement('figcaption');
  caption.textContent = title;
  box.append(caption);
  const chart = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img' });
  if (points.length) {
    const pad = 6;
    const [x0, x1] = [Math.min(...points.map(p => p.x)), Math.max(...points.map(p => p.x))];
    const [y0, y1] = [Math.min(...points.map(p => p.y)), Math.max(...points.map(p => p.y))];
    for (const point of points) {
      const dot = svg('circle', {
        cx: pad + ((point.x - x0) / (x1 - x0 || 1)) * (width - 2 * pad),
        cy: height - pad - ((point.y - y0) / (y1 - y0 || 1)) * (height - 2 * pad),
        r: 3,
        class: 'jp-JupyterExt-dot'
      });
      const label = svg('title', {});
      label.textContent = `${point.label}: ${formatValue(point.x)}, ${formatValue(point.y)}`;
      dot.append(label);
      chart.append(dot);
    }
  }
  box.append(chart);
  return box;
}
