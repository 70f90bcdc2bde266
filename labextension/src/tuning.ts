/**
 * A tuning job's page in JupyterLab's main area: the search (objective, strategy, ranges,
 * limits, the best training job), a sortable and filterable table of its training jobs, the
 * objective over trials with the best so far, and the objective against each hyperparameter.
 * It asks the server again every POLL_MS while it is shown and the tuning job runs.
 */
import { MainAreaWidget } from '@jupyterlab/apputils';

import { ChartRow, formatValue, scatterChart, scatterRows, VegaChart } from './chart';
import { describeTuningJob, elapsed } from './client';
import { button, el, grid, section, table } from './dom';
import { jobsIcon } from './icon';
import { ACTIVE_STATUSES, TuningJobDescription, TuningParameterRange } from './models';
import { mainAreaPage, PollingPage } from './page';
import { parameterNames, TrialTable } from './trialtable';

function rangeText(range: TuningParameterRange): string {
  if (range.kind === 'Categorical') {
    return range.values.join(', ');
  }
  return `${formatValue(range.min_value ?? 0)} … ${formatValue(range.max_value ?? 0)}`;
}

/** The objective of each trial, in launch order, and the best value so far after each. */
export function objectiveRows(job: TuningJobDescription): ChartRow[] {
  const maximize = job.objective_type === 'Maximize';
  const rows: ChartRow[] = [];
  let best: number | null = null;
  job.trials.forEach((trial, index) => {
    if (trial.objective === null) {
      return;
    }
    best = best === null || (maximize ? trial.objective > best : trial.objective < best) ? trial.objective : best;
    rows.push({ trial: index + 1, name: trial.name, value: trial.objective, series: 'objective' });
    rows.push({ trial: index + 1, name: trial.name, value: best, series: 'best so far' });
  });
  return rows;
}

function objectiveChart(metric: string): VegaChart {
  const x = { field: 'trial', type: 'quantitative', title: 'trial (launch order)', axis: { tickMinStep: 1, format: 'd' } };
  const y = { field: 'value', type: 'quantitative', title: metric, scale: { zero: false } };
  const color = { field: 'series', type: 'nominal', title: null, scale: { domain: ['objective', 'best so far'] } };
  const tooltip = [{ field: 'name', title: 'training job' }, { field: 'value', type: 'quantitative', title: metric, format: '.4~g' }];
  const chart = new VegaChart('jp-JupyterExt-objectiveChart', `${metric} over trials`, {
    layer: [
      { transform: [{ filter: "datum.series === 'best so far'" }], mark: { type: 'line', interpolate: 'step-after' }, encoding: { x, y, color } },
      { transform: [{ filter: "datum.series === 'objective'" }], mark: { type: 'point', filled: true, size: 60, tooltip: true },
        encoding: { x, y, color, tooltip } }
    ]
  }, 200);
  return chart;
}

/** The page's content (the MainAreaWidget's); `onOpenJob(name)` shows a training job in the sidebar. */
export class TuningJobView extends PollingPage<TuningJobDescription> {
  constructor(readonly tuningJobName: string, private readonly onOpenJob: (name: string) => void) {
    super(tuningJobName, 'jp-JupyterExt-tuningPage');
    this.node.dataset.tuningJob = tuningJobName;
    const [summary, summaryBody] = section('Tuning job', 'jp-JupyterExt-tuningSummary');
    const [ranges, rangesBody] = section('Hyperparameter ranges', 'jp-JupyterExt-ranges');
    const [trials, trialsBody] = section('Training jobs', 'jp-JupyterExt-trialSection');
    const [charts, chartsBody] = section('Objective', 'jp-JupyterExt-tuningCharts');
    [this._summary, this._ranges, this._charts] = [summaryBody, rangesBody, chartsBody];
    this._table = new TrialTable(onOpenJob);
    trialsBody.append(this._table.node);
    this._scatters = el('div', 'jp-JupyterExt-scatters');
    this.node.append(summary, trials, charts, ranges);
  }

  /** The last answer, if any. */
  get job(): TuningJobDescription | null {
    return this.data;
  }

  dispose(): void {
    this._objective?.dispose();
    this._parameterCharts.forEach(chart => chart.dispose());
    super.dispose();
  }

  protected load(): Promise<TuningJobDescription> {
    return describeTuningJob(this.tuningJobName);
  }

  protected isLive(job: TuningJobDescription): boolean {
    return ACTIVE_STATUSES.includes(job.status);
  }

  protected draw(job: TuningJobDescription): void {
    this._draw(job);
  }

  private _draw(job: TuningJobDescription): void {
    this.showStatus(job.status);
    const best = job.trials.find(trial => trial.is_best);
    const done = job.trials.filter(trial => !ACTIVE_STATUSES.includes(trial.status)).length;
    const rows: [string, string][] = [
      ['Objective', `${job.objective_type} ${job.objective_metric_name}`],
      ['Strategy', job.strategy],
      ['Training jobs', `${done} done of ${job.trials.length} launched; at most ${job.max_jobs}, ${job.max_parallel_jobs} at a time`],
      ['Early stopping', job.early_stopping_type],
      ['Elapsed', elapsed(job.started_at, job.ended_at)]
    ];
    if (job.failure_reason) {
      rows.push(['Failure reason', job.failure_reason]);
    }
    this._summary.replaceChildren(table(rows));
    if (best) {
      const link = button('jp-JupyterExt-childLink jp-JupyterExt-bestJob',
        `★ Best: ${best.name} (${job.objective_metric_name} ${formatValue(best.objective ?? 0)})`, () => this.onOpenJob(best.name));
      link.dataset.jobName = best.name;
      this._summary.append(link);
    }
    const several = new Set(job.ranges.map(range => range.definition)).size > 1;
    this._ranges.replaceChildren(grid('jp-JupyterExt-rangeTable', [...(several ? ['algorithm'] : []), 'hyperparameter', 'type', 'range', 'scaling'],
      job.ranges.map(r => [...(several ? [r.definition] : []), r.name, r.kind, rangeText(r), r.scaling_type ?? ''])));
    this._table.show(job);
    this._drawCharts(job);
  }

  private _drawCharts(job: TuningJobDescription): void {
    if (!this._objective) {
      this._objective = objectiveChart(job.objective_metric_name);
      this._charts.replaceChildren(this._objective.node, this._scatters);
    }
    this._objective.setData(objectiveRows(job));
    for (const name of parameterNames(job)) {
      const categorical = job.ranges.some(range => range.name === name && range.kind === 'Categorical');
      const points = job.trials.map(trial => ({
        x: trial.hyperparameters[name] as number | string | undefined,
        y: trial.objective,
        label: trial.name,
        group: trial.is_best ? 'best' : 'other trials'
      }));
      const chart = this._parameterCharts.get(name);
      if (chart) {
        chart.setData(scatterRows(points, categorical));
        continue;
      }
      const made = scatterChart(`${job.objective_metric_name} against ${name}`, name, job.objective_metric_name, points, categorical);
      made.node.dataset.parameter = name;
      this._parameterCharts.set(name, made);
      this._scatters.append(made.node);
    }
  }

  private _objective: VegaChart | null = null;
  private readonly _parameterCharts = new Map<string, VegaChart>();
  private readonly _summary: HTMLElement;
  private readonly _ranges: HTMLElement;
  private readonly _charts: HTMLElement;
  private readonly _scatters: HTMLDivElement;
  private readonly _table: TrialTable;
}

/** A main-area page for tuning job `name`. */
export function tuningJobPage(name: string, onOpenJob: (job: string) => void): MainAreaWidget<TuningJobView> {
  return mainAreaPage(new TuningJobView(name, onOpenJob), `jupyter-ext-tuning-${name}`, `Tuning: ${name}`,
    `Tuning job ${name}`, jobsIcon);
}
