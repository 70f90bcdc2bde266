/**
 * The charts of the runs-compare page, as Vega-Lite specs over rows the page computes: metric
 * curves overlaid (one colour per run, with a legend), parallel coordinates over parameters
 * and a metric, ROC and precision-recall curves overlaid, and a confusion matrix as a heatmap.
 */
import { ChartRow, formatValue, VegaChart } from './chart';
import { ComparedRun, ConfusionMatrix, MetricPoint, PrecisionRecallCurve, RocCurve } from './models';

const RUN = { field: 'run', type: 'nominal', title: 'run', legend: { labelLimit: 260, columns: 4 } };

/** One metric's curves of several runs on one set of axes (x step, y value, colour run). */
export function curvesChart(metric: string): VegaChart {
  return new VegaChart('jp-JupyterExt-curvesChart', `${metric} by step`, {
    mark: { type: 'line', point: { size: 24 }, tooltip: true },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'step', axis: { tickMinStep: 1, format: 'd' } },
      y: { field: 'value', type: 'quantitative', title: metric, scale: { zero: false } },
      color: RUN,
      tooltip: [{ field: 'run' }, { field: 'step', type: 'quantitative' }, { field: 'value', type: 'quantitative', title: metric, format: '.4~g' }]
    }
  }, 240);
}

/** The rows of `curvesChart`: each run's points of the metric, in step order. */
export function curveRows(curves: Map<string, MetricPoint[]>, metric: string, label: (run: string) => string): ChartRow[] {
  const rows: ChartRow[] = [];
  for (const [run, points] of curves) {
    for (const point of points.filter(p => p.name === metric)) {
      rows.push({ run: label(run), step: point.step, value: point.value });
    }
  }
  return rows;
}

/** Parallel coordinates: one line per run across `dimensions`, each scaled to its own range. */
export function parallelChart(): VegaChart {
  const x = { field: 'key', type: 'nominal', title: null, sort: { field: 'position' }, axis: { labelAngle: 0, domain: false, ticks: false, labelPadding: 18, labelFontWeight: 'bold' } };
  const y = { field: 'norm', type: 'quantitative', axis: null, scale: { domain: [0, 1] } };
  return new VegaChart('jp-JupyterExt-parallelChart', 'Parameters and metric, each on its own scale', {
    layer: [
      { transform: [{ filter: "datum.kind === 'bound'" }], mark: { type: 'rule', color: '#999', opacity: 0.5 },
        encoding: { x, detail: { field: 'key' } } },
      { transform: [{ filter: "datum.kind === 'line'" }], mark: { type: 'line', point: { size: 30 }, tooltip: true },
        encoding: { x, y, color: RUN, detail: { field: 'run' }, order: { field: 'position' },
          tooltip: [{ field: 'run' }, { field: 'key', title: 'dimension' }, { field: 'label', title: 'value' }] } },
      { transform: [{ filter: "datum.kind === 'bound'" }], mark: { type: 'text', dy: { expr: 'datum.norm > 0.5 ? -8 : 10' }, fontSize: 10 },
        encoding: { x, y, text: { field: 'label' } } }
    ]
  }, 240);
}

/** Numbers for one dimension's values: a number as it is, a category by its sorted position. */
function dimensionScale(values: (string | number)[]): { of: (v: string | number) => number; bounds: [string, string] } {
  if (values.every(v => typeof v === 'number')) {
    const numbers = values as number[];
    const [low, high] = [Math.min(...numbers), Math.max(...numbers)];
    const span = high - low || 1;
    return { of: v => (high === low ? 0.5 : ((v as number) - low) / span), bounds: [formatValue(low), formatValue(high)] };
  }
  const categories = [...new Set(values.map(String))].sort();
  const last = Math.max(categories.length - 1, 1);
  return { of: v => (categories.length === 1 ? 0.5 : categories.indexOf(String(v)) / last), bounds: [categories[0], categories[categories.length - 1]] };
}

/** The rows of `parallelChart` over `runs`: a point per run and dimension it has (a run lacking one skips it), and each dimension's bounds. */
export function parallelRows(runs: ComparedRun[], parameters: string[], metric: string | null, label: (run: ComparedRun) => string): ChartRow[] {
  const valueOf = (run: ComparedRun, key: string, isMetric: boolean): string | number | undefined =>
    (isMetric ? run.metrics[key] : (run.parameters[key] as string | number | undefined));
  const dimensions: [string, boolean][] = [...parameters.map((p): [string, boolean] => [p, false]), ...(metric ? [[metric, true] as [string, boolean]] : [])];
  const rows: ChartRow[] = [];
  dimensions.forEach(([key, isMetric], position) => {
    const values = runs.map(run => valueOf(run, key, isMetric)).filter((v): v is string | number => v !== undefined && v !== null);
    if (!values.length) {
      return;
    }
    const scale = dimensionScale(values);
    for (const run of runs) {
      const value = valueOf(run, key, isMetric);
      if (value !== undefined && value !== null) {
        rows.push({ kind: 'line', run: label(run), key, position, norm: scale.of(value), label: typeof value === 'number' ? formatValue(value) : value });
      }
    }
    rows.push({ kind: 'bound', key, position, norm: 0, label: scale.bounds[0] }, { kind: 'bound', key, position, norm: 1, label: scale.bounds[1] });
  });
  return rows;
}

/** Curves the runs logged (ROC or precision-recall) overlaid on [0, 1] axes (x, y and the area
 * the legend names), with `guide` as a dashed line. */
function loggedCurvesChart(className: string, title: string, [x, y, area]: [string, string, string],
  guide: { x: number; y: number }[]): VegaChart {
  const xAxis = { field: 'x', type: 'quantitative', title: x, scale: { domain: [0, 1] } };
  const yAxis = { field: 'y', type: 'quantitative', title: y, scale: { domain: [0, 1] } };
  return new VegaChart(className, title, {
    layer: [
      { data: { values: guide }, mark: { type: 'line', strokeDash: [4, 4], color: '#999' }, encoding: { x: xAxis, y: yAxis } },
      { mark: { type: 'line', point: { size: 20 }, tooltip: true, interpolate: 'linear' },
        encoding: { x: xAxis, y: yAxis, color: { ...RUN, field: 'curve', title: `run (${area})` }, order: { field: 'order' },
          tooltip: [{ field: 'curve', title: 'run' }, { field: 'x', title: x, type: 'quantitative', format: '.3~g' },
            { field: 'y', title: y, type: 'quantitative', format: '.3~g' }] } }
    ]
  }, 280);
}

/** ROC curves of several runs overlaid, with the chance diagonal. */
export function rocChart(): VegaChart {
  return loggedCurvesChart('jp-JupyterExt-rocChart', 'ROC curves', ['false positive rate', 'true positive rate', 'area under curve'], [{ x: 0, y: 0 }, { x: 1, y: 1 }]);
}

/** Precision-recall curves of several runs overlaid, with the line of a perfect classifier's corner. */
export function precisionRecallChart(): VegaChart {
  return loggedCurvesChart('jp-JupyterExt-precisionRecallChart', 'Precision-recall curves', ['recall', 'precision', 'average precision'], [{ x: 0, y: 1 }, { x: 1, y: 1 }]);
}

function curveName(run: string, name: string, plain: string, area: number | null): string {
  return `${run}${name === plain ? '' : ` ${name}`}${area === null ? '' : ` (${formatValue(area)})`}`;
}

/** The rows of `rocChart`: each curve's points, in order, named by run and area. */
export function rocRows(curves: [string, RocCurve][]): ChartRow[] {
  return curves.flatMap(([run, curve]) => {
    const name = curveName(run, curve.name, 'roc-curve', curve.area_under_curve);
    return curve.false_positive_rate.map((x, order) => ({ curve: name, x, y: curve.true_positive_rate[order], order }));
  });
}

/** The rows of `precisionRecallChart`: each curve's points by recall, named by run and average precision. */
export function precisionRecallRows(curves: [string, PrecisionRecallCurve][]): ChartRow[] {
  return curves.flatMap(([run, curve]) => {
    const name = curveName(run, curve.name, 'precision-recall', curve.average_precision);
    return curve.recall.map((x, order) => ({ curve: name, x, y: curve.precision[order], order }));
  });
}

/** A confusion matrix as a heatmap: true label down, predicted label across, counts written in. */
export function confusionChart(run: string, matrix: ConfusionMatrix): VegaChart {
  const labels = { sort: matrix.labels, axis: { labelAngle: 0 } };
  const chart = new VegaChart('jp-JupyterExt-confusionChart', `${run}: ${matrix.name}`, {
    encoding: {
      x: { field: 'predicted', type: 'nominal', title: 'predicted', ...labels },
      y: { field: 'truth', type: 'nominal', title: 'true', ...labels }
    },
    layer: [
      { mark: { type: 'rect', tooltip: true }, encoding: { color: { field: 'count', type: 'quantitative', legend: null, scale: { scheme: 'blues' } } } },
      { mark: { type: 'text', fontSize: 12 }, encoding: { text: { field: 'count' }, color: { condition: { test: 'datum.share > 0.5', value: 'white' }, value: 'black' } } }
    ]
  }, Math.max(120, 40 * matrix.labels.length));
  const largest = Math.max(1, ...matrix.matrix.flat());
  chart.setData(matrix.matrix.flatMap((row, i) => row.map((count, j) => ({
    truth: matrix.labels[i], predicted: matrix.labels[j], count, share: count / largest }))));
  chart.node.dataset.run = run;
  return chart;
}
