/**
 * Runs compared, in JupyterLab's main area: an experiment's runs (or the runs outside any
 * experiment, Studio's unassigned trial components) in a table ranked by a metric (the
 * metric's own way: lowest first for a loss), a box per run to choose it, and charts over the
 * chosen runs: the metric's curves overlaid, the metric against a parameter (a run lacking the
 * parameter is named as missing, not drawn at an edge), parallel coordinates over the
 * parameters and the metric, ROC and precision-recall curves and confusion matrices the runs logged. Refreshed
 * while shown (new runs appear, running runs' curves grow).
 */
import { MainAreaWidget } from '@jupyterlab/apputils';
import { tableRowsIcon } from '@jupyterlab/ui-components';

import { formatValue, scatterChart, scatterRows, VegaChart } from './chart';
import { compareRuns, runCharts, runMetrics } from './client';
import {
  confusionChart, curveRows, curvesChart, parallelChart, parallelRows, precisionRecallChart, precisionRecallRows, rocChart, rocRows
} from './comparecharts';
import { button, el, section } from './dom';
import { ACTIVE_STATUSES, ComparedRun, MetricPoint, RunCharts, RunComparison } from './models';
import { mainAreaPage, PollingPage } from './page';

/** How many runs are chosen when the page opens (the best by the metric). */
const FIRST_CHOSEN = 5;

/** Runs `runs` ranked by `metric`, lowest first if `ascending`; runs without the metric last. */
export function rankRuns(runs: ComparedRun[], metric: string | null, ascending: boolean): ComparedRun[] {
  if (!metric) {
    return [...runs];
  }
  const value = (run: ComparedRun) => run.metrics[metric];
  return [...runs].sort((a, b) => {
    const [x, y] = [value(a), value(b)];
    if (x === undefined || y === undefined) {
      return x === undefined ? (y === undefined ? 0 : 1) : -1;
    }
    return ascending ? x - y : y - x;
  });
}

/** The page's content; `onOpenRun(name)` shows a run in the sidebar. */
export class RunsCompareView extends PollingPage<RunComparison> {
  constructor(readonly experiment: string | null, private readonly onOpenRun: (name: string) => void) {
    super(experiment ?? 'Unassigned runs', 'jp-JupyterExt-comparePage');
    this.node.dataset.experiment = experiment ?? '';
    this._metric = el('select', 'jp-mod-styled jp-JupyterExt-filter jp-JupyterExt-compareMetric');
    this._order = el('select', 'jp-mod-styled jp-JupyterExt-filter jp-JupyterExt-compareOrder');
    this._order.append(new Option('Lowest first', 'true'), new Option('Highest first', 'false'));
    this._parameter = el('select', 'jp-mod-styled jp-JupyterExt-filter jp-JupyterExt-compareParameter');
    this._metric.addEventListener('change', () => {
      this._ascending = null; // a new metric: its own order
      this._redraw();
    });
    this._order.addEventListener('change', () => {
      this._ascending = this._order.value === 'true';
      this._redraw();
    });
    this._parameter.addEventListener('change', () => this._drawScatter());
    const controls = el('div', 'jp-JupyterExt-filters jp-JupyterExt-compareControls');
    controls.append(el('label', '', 'Metric '), this._metric, this._order, el('label', '', 'Parameter '), this._parameter);
    const [runs, runsBody] = section('Runs', 'jp-JupyterExt-compareRuns');
    this._table = runsBody;
    const [curves, curvesBody] = section('Curves of the chosen runs', 'jp-JupyterExt-compareCurves');
    const [scatter, scatterBody] = section('Metric against a parameter', 'jp-JupyterExt-compareScatter');
    const [parallel, parallelBody] = section('Parallel coordinates', 'jp-JupyterExt-compareParallel');
    const [logged, loggedBody] = section('ROC and precision-recall curves, confusion matrices', 'jp-JupyterExt-compareLogged');
    this._curves = curvesChart('');
    this._parallel = parallelChart();
    this._roc = rocChart();
    this._precisionRecall = precisionRecallChart();
    this._missing = el('p', 'jp-JupyterExt-message jp-JupyterExt-missing');
    this._scatterBox = scatterBody;
    curvesBody.append(this._curves.node);
    scatterBody.append(this._missing);
    parallelBody.append(this._parallel.node);
    this._matrices = el('div', 'jp-JupyterExt-scatters jp-JupyterExt-matrices');
    loggedBody.append(this._roc.node, this._precisionRecall.node, this._matrices);
    this._loggedSection = logged;
    logged.hidden = true;
    this.node.append(controls, runs, curves, scatter, parallel, logged);
  }

  dispose(): void {
    [this._curves, this._parallel, this._roc, this._precisionRecall, this._scatter, ...this._matrixCharts].forEach(chart => chart?.dispose());
    super.dispose();
  }

  protected load(): Promise<RunComparison> {
    return compareRuns(this.experiment);
  }

  protected isLive(): boolean {
    return true; // runs come and go while the page is shown
  }

  protected async draw(comparison: RunComparison): Promise<void> {
    this.badge.textContent = `${comparison.total} run${comparison.total === 1 ? '' : 's'}`;
    this.badge.className = 'jp-JupyterExt-badge';
    fillOptions(this._metric, comparison.metrics.map(m => m.name));
    fillOptions(this._parameter, comparison.parameters);
    if (this._chosen === null) {
      const ranked = rankRuns(comparison.runs, this._metric.value || null, this._ascendingFor(comparison));
      this._chosen = new Set(ranked.slice(0, FIRST_CHOSEN).map(run => run.name));
    }
    await this._fetchChosen(comparison);
    this._redraw();
  }

  private _ascendingFor(comparison: RunComparison): boolean {
    const metric = comparison.metrics.find(m => m.name === this._metric.value);
    return this._ascending ?? metric?.lower_is_better ?? false;
  }

  /** The curves and logged charts of the chosen runs not fetched yet, or still running. */
  private async _fetchChosen(comparison: RunComparison): Promise<void> {
    const stale = comparison.runs.filter(run => this._chosen?.has(run.name) &&
      (!this._points.has(run.name) || ACTIVE_STATUSES.includes(run.status)));
    await Promise.all(stale.map(async run => {
      const [metrics, charts] = await Promise.all([runMetrics(run.name),
        run.charts.length ? runCharts(run.name) : Promise.resolve(null)]);
      this._points.set(run.name, metrics.metrics);
      if (charts) {
        this._logged.set(run.name, charts);
      }
    }));
  }

  private _redraw(): void {
    const comparison = this.data;
    if (!comparison) {
      return;
    }
    const ascending = this._ascendingFor(comparison);
    this._order.value = String(ascending);
    const metric = this._metric.value || null;
    this._ranked = rankRuns(comparison.runs, metric, ascending);
    this._table.replaceChildren(this._runsTable(comparison, metric));
    if (!comparison.runs.length) {
      this._table.replaceChildren(el('p', 'jp-JupyterExt-message', this.experiment
        ? 'No runs yet.' : 'Every run is in an experiment.'));
    }
    const chosen = this._chosenRuns();
    const shown = new Map([...this._points].filter(([run]) => this._chosen?.has(run)));
    this._curves.caption = metric ? `${metric} by step` : 'No metric logged';
    this._curves.setData(curveRows(shown, metric ?? '', run => this._label(run)));
    this._parallel.setData(parallelRows(chosen, numericOrFew(chosen, comparison.parameters), metric, run => run.display_name));
    this._drawScatter();
    this._drawLogged(chosen);
  }

  private _runsTable(comparison: RunComparison, metric: string | null): HTMLTableElement {
    const parameters = comparison.parameters.slice(0, 8);
    const table = el('table', 'jp-JupyterExt-table jp-JupyterExt-grid jp-JupyterExt-trialTable jp-JupyterExt-compareTable');
    const head = table.createTHead().insertRow();
    for (const header of ['', '#', 'run', 'status', metric ?? '', ...parameters]) {
      head.append(el('th', '', header));
    }
    const body = table.createTBody();
    this._ranked.forEach((run, index) => {
      const row = body.insertRow();
      row.dataset.run = run.name;
      const box = el('input', 'jp-JupyterExt-choose');
      box.type = 'checkbox';
      box.checked = this._chosen?.has(run.name) ?? false;
      box.title = 'Compare this run';
      box.addEventListener('change', () => void this._choose(run.name, box.checked));
      row.insertCell().append(box);
      row.insertCell().textContent = String(index + 1);
      const name = button('jp-JupyterExt-childLink', run.display_name, () => this.onOpenRun(run.name));
      name.title = run.name;
      row.insertCell().append(name);
      row.insertCell().textContent = run.status;
      const value = metric ? run.metrics[metric] : undefined;
      row.insertCell().textContent = value === undefined ? '' : formatValue(value);
      for (const parameter of parameters) {
        const cell = row.insertCell();
        const given = run.parameters[parameter];
        cell.textContent = given === undefined ? '—' : typeof given === 'number' ? formatValue(given) : String(given);
        cell.classList.toggle('jp-mod-missing', given === undefined);
      }
      row.classList.toggle('jp-mod-chosen', box.checked);
    });
    return table;
  }

  private async _choose(run: string, chosen: boolean): Promise<void> {
    if (chosen) {
      this._chosen?.add(run);
    } else {
      this._chosen?.delete(run);
    }
    if (this.data) {
      await this._fetchChosen(this.data);
    }
    this._redraw();
  }

  private _chosenRuns(): ComparedRun[] {
    return this._ranked.filter(run => this._chosen?.has(run.name));
  }

  private _label(name: string): string {
    return this.data?.runs.find(run => run.name === name)?.display_name ?? name;
  }

  private _drawScatter(): void {
    const [metric, parameter] = [this._metric.value, this._parameter.value];
    const chosen = this._chosenRuns();
    const lacking = chosen.filter(run => run.parameters[parameter] === undefined || run.parameters[parameter] === null);
    this._missing.textContent = parameter && lacking.length
      ? `Not drawn, no ${parameter}: ${lacking.map(run => run.display_name).join(', ')}` : '';
    const categorical = chosen.some(run => typeof run.parameters[parameter] === 'string');
    const points = chosen.map(run => ({
      x: run.parameters[parameter] as number | string | undefined, y: run.metrics[metric] ?? null, label: run.display_name, group: run.display_name
    }));
    const key = `${metric}|${parameter}|${categorical}`;
    if (!this._scatter || this._scatterKey !== key) {
      this._scatter?.dispose();
      this._scatter?.node.remove();
      this._scatter = scatterChart(`${metric} against ${parameter}`, parameter, metric, points, categorical, 240);
      this._scatter.node.dataset.parameter = parameter;
      this._scatterKey = key;
      this._scatterBox.prepend(this._scatter.node);
    } else {
      this._scatter.setData(scatterRows(points, categorical));
    }
  }

  private _drawLogged(chosen: ComparedRun[]): void {
    const logged = chosen.map((run): [ComparedRun, RunCharts | undefined] => [run, this._logged.get(run.name)])
      .filter((pair): pair is [ComparedRun, RunCharts] => pair[1] !== undefined);
    this._loggedSection.hidden = logged.length === 0;
    this._roc.setData(rocRows(logged.flatMap(([run, charts]) => charts.roc_curves.map((c): [string, typeof c] => [run.display_name, c]))));
    this._roc.node.hidden = !logged.some(([, charts]) => charts.roc_curves.length);
    this._precisionRecall.setData(precisionRecallRows(logged.flatMap(([run, charts]) =>
      charts.precision_recall_curves.map((c): [string, typeof c] => [run.display_name, c]))));
    this._precisionRecall.node.hidden = !logged.some(([, charts]) => charts.precision_recall_curves.length);
    const key = logged.map(([run, charts]) => `${run.name}:${charts.confusion_matrices.length}`).join(',');
    if (key !== this._matricesKey) {
      this._matrixCharts.forEach(chart => chart.dispose());
      this._matrixCharts = logged.flatMap(([run, charts]) => charts.confusion_matrices.map(m => confusionChart(run.display_name, m)));
      this._matrices.replaceChildren(...this._matrixCharts.map(chart => chart.node));
      this._matricesKey = key;
    }
  }

  private _chosen: Set<string> | null = null;
  private _ascending: boolean | null = null;
  private _ranked: ComparedRun[] = [];
  private _scatter: VegaChart | null = null;
  private _scatterKey = '';
  private _matricesKey = '';
  private _matrixCharts: VegaChart[] = [];
  private readonly _points = new Map<string, MetricPoint[]>();
  private readonly _logged = new Map<string, RunCharts>();
  private readonly _metric: HTMLSelectElement;
  private readonly _order: HTMLSelectElement;
  private readonly _parameter: HTMLSelectElement;
  private readonly _table: HTMLElement;
  private readonly _curves: VegaChart;
  private readonly _parallel: VegaChart;
  private readonly _roc: VegaChart;
  private readonly _precisionRecall: VegaChart;
  private readonly _missing: HTMLParagraphElement;
  private readonly _scatterBox: HTMLElement;
  private readonly _matrices: HTMLDivElement;
  private readonly _loggedSection: HTMLElement;
}

/** Keep a select's choice while its options follow `names`. */
function fillOptions(select: HTMLSelectElement, names: string[]): void {
  const current = select.value;
  if ([...select.options].map(o => o.value).join('\n') === names.join('\n')) {
    return;
  }
  select.replaceChildren(...names.map(name => new Option(name, name, false, name === current)));
}

/** The parameters worth a parallel axis: numbers, and categories of a few values. */
function numericOrFew(runs: ComparedRun[], parameters: string[]): string[] {
  return parameters.filter(p => {
    const values = runs.map(run => run.parameters[p]).filter(v => v !== undefined && v !== null);
    return values.length > 0 && (values.every(v => typeof v === 'number') || new Set(values).size <= 12);
  }).slice(0, 10);
}

/** A main-area page comparing the runs of `experiment` (null: the runs outside any experiment). */
export function runsComparePage(experiment: string | null, onOpenRun: (name: string) => void): MainAreaWidget<RunsCompareView> {
  const label = experiment ? `Runs: ${experiment}` : 'Unassigned runs';
  return mainAreaPage(new RunsCompareView(experiment, onOpenRun), experiment ? `jupyter-ext-compare-${experiment}` : 'jupyter-ext-compare-unassigned', label,
    experiment ? `The runs of experiment ${experiment} compared` : 'The runs outside any experiment', tableRowsIcon);
}
