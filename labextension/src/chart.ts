/**
 * Charts drawn by Vega-Lite through vega-embed (the copies JupyterLab itself shares, so the
 * extension bundles none): axes, ticks, legends and hover tooltips, in the theme's colours,
 * as wide as the element they sit in.
 */
import embed, { Result } from 'vega-embed';
import type { TopLevelSpec } from 'vega-lite';

import { MetricPoint } from './models';

/** One row of a chart's data. */
export type ChartRow = Record<string, string | number | boolean | null>;

/** The name of every chart's dataset; `setData` replaces it. */
const DATA = 'rows';

/** Format a number for a label: short, without noise digits. */
export function formatValue(value: number): string {
  if (value === 0 || (Math.abs(value) >= 0.001 && Math.abs(value) < 1e5)) {
    return String(Number(value.toPrecision(4)));
  }
  return value.toExponential(2);
}

function themeColour(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

/** Vega-Lite's config from JupyterLab's theme variables (read when a chart is drawn). */
function themeConfig(): Record<string, unknown> {
  const text = themeColour('--jp-ui-font-color1', '#333');
  const muted = themeColour('--jp-ui-font-color2', '#666');
  const grid = themeColour('--jp-border-color2', '#ddd');
  const font = themeColour('--jp-ui-font-family', 'sans-serif');
  const brand = themeColour('--jp-brand-color1', '#1976d2');
  return {
    background: 'transparent',
    font,
    view: { stroke: null },
    axis: { labelColor: muted, titleColor: text, domainColor: grid, tickColor: grid, gridColor: grid, labelFontSize: 10, titleFontSize: 11 },
    legend: { labelColor: text, titleColor: text, labelFontSize: 10, titleFontSize: 11, orient: 'bottom' },
    title: { color: text },
    range: { category: [brand, themeColour('--jp-warn-color1', '#f57c00'), themeColour('--jp-success-color1', '#388e3c'),
      themeColour('--jp-error-color1', '#d32f2f'), '#7b1fa2', '#0097a7', '#5d4037', '#c2185b'] },
    line: { color: brand },
    point: { color: brand, filled: true },
    circle: { color: brand },
    bar: { color: brand }
  };
}

const charts = new Set<VegaChart>();

/**
 * One Vega-Lite chart in a `<figure>`: `layers` are the spec's marks and encodings (its data
 * is the named dataset `rows`, filled by `setData`). It draws once it has a width, follows
 * its container's width and the theme, and lets go of its view once taken out of the page.
 */
export class VegaChart {
  readonly node: HTMLElement;

  constructor(className: string, caption: string, private readonly spec: Record<string, unknown>, private readonly height = 140) {
    this.node = document.createElement('figure');
    this.node.className = `jp-JupyterExt-chart ${className}`;
    this._caption = document.createElement('figcaption');
    this._caption.textContent = caption;
    this._plot = document.createElement('div');
    this._plot.className = 'jp-JupyterExt-plot';
    this.node.append(this._caption, this._plot);
    this._resize = new ResizeObserver(() => this._onResize());
    this._resize.observe(this._plot);
    charts.add(this);
  }

  /** The caption above the chart. */
  set caption(text: string) {
    this._caption.textContent = text;
  }

  /** Replace the chart's rows (drawn now if the chart is shown, else when it is). */
  setData(rows: ChartRow[]): void {
    this._rows = rows;
    this._plot.dataset.rows = String(rows.length);
    if (this._result) {
      // resize(): lay the padding out again (axis labels of new data can be wider than the old ones)
      void this._result.view.data(DATA, rows).resize().runAsync();
    }
  }

  /** Draw again from scratch (the theme changed). */
  redraw(): void {
    this._width = 0;
    this._onResize();
  }

  /** Free the Vega view and stop following the width. */
  dispose(): void {
    this._resize.disconnect();
    this._result?.finalize();
    this._result = null;
    charts.delete(this);
  }

  private _onResize(): void {
    if (!this.node.isConnected) {
      this.dispose();
      return;
    }
    const width = Math.floor(this._plot.clientWidth);
    if (width < 40 || width === this._width) {
      return;
    }
    this._width = width;
    if (this._result && this._drawn) {
      void this._result.view.width(width).runAsync();
    } else {
      void this._draw(width);
    }
  }

  private async _draw(width: number): Promise<void> {
    this._result?.finalize();
    const spec = {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      width,
      height: this.height,
      autosize: { type: 'fit-x', contains: 'padding' },
      data: { name: DATA, values: this._rows },
      config: themeConfig(),
      ...this.spec
    } as unknown as TopLevelSpec;
    this._drawn = false;
    const result = await embed(this._plot, spec, { actions: false, renderer: 'svg' });
    this._result = result;
    this._drawn = true;
    if (!charts.has(this)) {
      result.finalize();
    }
  }

  private _rows: ChartRow[] = [];
  private _width = 0;
  private _drawn = false;
  private _result: Result | null = null;
  private readonly _caption: HTMLElement;
  private readonly _plot: HTMLDivElement;
  private readonly _resize: ResizeObserver;
}

/** Redraw every chart shown when the JupyterLab theme changes. */
new MutationObserver(() => charts.forEach(chart => chart.redraw())).observe(document.body, {
  attributes: true,
  attributeFilter: ['data-jp-theme-name']
});

function quantitative(field: string, title: string, zero = false): Record<string, unknown> {
  return { field, type: 'quantitative', title, scale: { zero }, axis: { tickCount: 5, format: '~g' } };
}

/** One metric's values (y) against their steps (x); hover a point for its value. */
export function metricChart(name: string, points: MetricPoint[], height = 140): VegaChart {
  const chart = new VegaChart('jp-JupyterExt-metricChart', name, {
    mark: { type: 'line', point: { size: 24 }, tooltip: true, interpolate: 'linear' },
    encoding: {
      x: quantitative('step', 'step'),
      y: quantitative('value', name),
      tooltip: [{ field: 'step', type: 'quantitative' }, { field: 'value', type: 'quantitative', title: name, format: '.4~g' }]
    }
  }, height);
  chart.node.dataset.metric = name;
  updateMetricChart(chart, name, points);
  return chart;
}

/** New points for a metric chart made by `metricChart`. */
export function updateMetricChart(chart: VegaChart, name: string, points: MetricPoint[]): void {
  const last = points[points.length - 1];
  chart.caption = last ? `${name}  ${formatValue(last.value)}` : name;
  chart.setData(points.map(p => ({ step: p.step, value: p.value })));
}

/** A point of a scatter: its x (a number, or a category) and y, and its tooltip's label. */
export interface IScatterPoint {
  x: number | string | null | undefined;
  y: number | null;
  label: string;
  /** A category coloured (with a legend), e.g. whether a trial is the best. */
  group?: string;
}

/**
 * A scatter of (x, y) points, x numbers (`categorical` false) or categories; a point without
 * an x or y (a run lacking the parameter) is left out, never drawn at an edge.
 */
export function scatterChart(
  title: string,
  xTitle: string,
  yTitle: string,
  points: IScatterPoint[],
  categorical = false,
  height = 160
): VegaChart {
  const grouped = points.some(p => p.group);
  const encoding: Record<string, unknown> = {
    x: categorical ? { field: 'x', type: 'nominal', title: xTitle, axis: { labelAngle: 0 } } : quantitative('x', xTitle),
    y: quantitative('y', yTitle),
    tooltip: [{ field: 'label', title: 'name' }, { field: 'x', title: xTitle, ...(categorical ? {} : { type: 'quantitative', format: '.4~g' }) },
      { field: 'y', type: 'quantitative', title: yTitle, format: '.4~g' }]
  };
  if (grouped) {
    encoding.color = { field: 'group', type: 'nominal', title: null };
  }
  const chart = new VegaChart('jp-JupyterExt-scatter', title, { mark: { type: 'point', filled: true, size: 50, tooltip: true }, encoding }, height);
  chart.setData(scatterRows(points, categorical));
  return chart;
}

/** The rows a scatter draws: points with a finite y and an x (a finite number unless categorical). */
export function scatterRows(points: IScatterPoint[], categorical = false): ChartRow[] {
  const hasX = (x: IScatterPoint['x']) => (categorical ? x !== null && x !== undefined && x !== '' : typeof x === 'number' && Number.isFinite(x));
  return points
    .filter(p => hasX(p.x) && typeof p.y === 'number' && Number.isFinite(p.y))
    .map(p => ({ x: categorical ? String(p.x) : (p.x as number), y: p.y, label: p.label, group: p.group ?? null }));
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
