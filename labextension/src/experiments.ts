/**
 * The Experiments view: experiments (and the runs outside any), an experiment's leaderboard
 * (sortable by metric, in the metric's own order unless chosen, with a metric-against-parameter
 * chart), and one run in detail. It asks again every POLL_MS while shown and redraws what changed.
 */
import { Widget } from '@lumino/widgets';

import { artifactLink, isLocalPath } from './artifacts';
import { bySeries, formatValue, metricChart, scatterChart } from './chart';
import { describeRun, getLeaderboard, listExperiments, runMetrics } from './client';
import { button, el } from './dom';
import { LeaderboardResponse } from './models';

function cells(row: HTMLTableRowElement, values: string[]): void {
  for (const value of values) {
    row.insertCell().textContent = value;
  }
}

/** Experiments, leaderboards and runs; `onOpenJob(name)` shows a job in the Jobs view. */
export class ExperimentsView extends Widget {
  /** `onCompare(experiment)` opens the runs-compare page (null: the runs outside any experiment). */
  constructor(private readonly onOpenJob: (name: string) => void,
    private readonly onCompare: (experiment: string | null) => void = () => undefined) {
    super();
    this.addClass('jp-JupyterExt-experiments');
    this._body = el('div', 'jp-JupyterExt-experimentsBody');
    this.node.append(this._body);
  }

  /** Show what is open now again (the list, a leaderboard or a run). */
  async refresh(): Promise<void> {
    try {
      if (this._run) {
        await this.openRun(this._run);
      } else if (this._experiment) {
        await this.openExperiment(this._experiment, this._metric, this._ascending);
      } else {
        await this.showList();
      }
    } catch (error) {
      this._drawn = '';
      this._body.replaceChildren(el('p', 'jp-JupyterExt-message', `Cannot load: ${(error as Error).message}`));
    }
  }

  /** While shown: ask again every POLL_MS (new runs, new points). */
  tick(due: boolean): void {
    if (due) {
      void this.refresh();
    }
  }

  /** The list of experiments. */
  async showList(): Promise<void> {
    this._experiment = this._run = null;
    const listing = await listExperiments();
    if (this._unchanged('list', listing)) {
      return;
    }
    const { experiments } = listing;
    const list = el('ul', 'jp-JupyterExt-rows');
    for (const experiment of experiments) {
      const row = el('li', 'jp-JupyterExt-row jp-JupyterExt-experimentRow');
      row.dataset.experiment = experiment.name;
      row.append(
        el('span', 'jp-JupyterExt-name', experiment.name),
        el('span', 'jp-JupyterExt-elapsed', `${experiment.runs} run${experiment.runs === 1 ? '' : 's'}`)
      );
      row.addEventListener('click', () => void this.openExperiment(experiment.name));
      list.append(row);
    }
    if (listing.unassigned_runs) {
      const row = el('li', 'jp-JupyterExt-row jp-JupyterExt-experimentRow jp-JupyterExt-unassignedRow');
      const count = listing.unassigned_runs;
      row.append(el('span', 'jp-JupyterExt-name', 'Unassigned runs'),
        el('span', 'jp-JupyterExt-elapsed', `${count} run${count === 1 ? '' : 's'}`));
      row.title = 'Runs (jobs) outside any experiment: compare them in the main area';
      row.addEventListener('click', () => this.onCompare(null));
      list.append(row);
    }
    const empty = experiments.length ? '' : 'No experiments yet: use `with Run(experiment_name=...)`.';
    this._body.replaceChildren(el('p', 'jp-JupyterExt-message', empty), list);
  }

  /** An experiment's leaderboard (`ascending` null: the metric's own order). */
  async openExperiment(name: string, metric: string | null = null, ascending: boolean | null = null): Promise<void> {
    [this._experiment, this._metric, this._ascending] = [name, metric, ascending];
    this._run = null;
    const board = await getLeaderboard(name, { metric, ascending });
    if (this._unchanged('board', board)) {
      return;
    }
    const back = button('jp-JupyterExt-back', '‹ Experiments', () => void this.showList());
    const title = el('div', 'jp-JupyterExt-detailName', name);
    const controls = el('div', 'jp-JupyterExt-filters');
    const picker = el('select', 'jp-mod-styled jp-JupyterExt-filter jp-JupyterExt-metricPicker');
    for (const option of board.metrics) {
      picker.append(new Option(option, option, false, option === board.metric));
    }
    const order = el('select', 'jp-mod-styled jp-JupyterExt-filter jp-JupyterExt-order');
    order.append(new Option('Highest first', 'false', false, !board.ascending), new Option('Lowest first', 'true', false, board.ascending));
    picker.addEventListener('change', () => void this.openExperiment(name, picker.value, null));
    order.addEventListener('change', () => void this.openExperiment(name, picker.value, order.value === 'true'));
    const compare = button('jp-JupyterExt-compareRuns', 'Compare runs', () => this.onCompare(name));
    compare.title = 'Curves overlaid, metric against parameter, parallel coordinates: in the main area';
    controls.append(picker, order, compare);
    this._body.replaceChildren(back, title, controls, this._table(board), ...this._charts(board));
  }

  private _table(board: LeaderboardResponse): HTMLTableElement {
    const table = el('table', 'jp-JupyterExt-table jp-JupyterExt-leaderboard');
    const parameters = [...new Set(board.rows.flatMap(row => Object.keys(row.parameters)))].slice(0, 3);
    cells(table.createTHead().insertRow(), ['#', 'run', board.metric ?? '', ...parameters]);
    const body = table.createTBody();
    for (const row of board.rows) {
      const line = body.insertRow();
      line.dataset.run = row.run;
      cells(line, [String(row.rank), row.run, row.value === null ? '' : formatValue(row.value),
        ...parameters.map(p => (row.parameters[p] === undefined ? '' : String(row.parameters[p])))]);
      line.addEventListener('click', () => void this.openRun(row.run));
    }
    return table;
  }

  private _charts(board: LeaderboardResponse): HTMLElement[] {
    const numeric = [...new Set(board.rows.flatMap(row => Object.keys(row.parameters)))].filter(p =>
      board.rows.some(row => typeof row.parameters[p] === 'number')
    );
    return numeric.slice(0, 2).map(parameter =>
      scatterChart(
        `${board.metric} against ${parameter}`,
        parameter,
        board.metric ?? '',
        board.rows
          .filter(row => row.value !== null && typeof row.parameters[parameter] === 'number')
          .map(row => ({ x: row.parameters[parameter] as number, y: row.value as number, label: row.run }))
      ).node
    );
  }

  /** One run: parameters, metric charts, artifacts, and its job. */
  async openRun(name: string): Promise<void> {
    this._run = name;
    const [run, metrics] = await Promise.all([describeRun(name), runMetrics(name)]);
    if (this._unchanged('run', [run, metrics])) {
      return;
    }
    const back = button('jp-JupyterExt-back', `‹ ${run.experiment ?? 'Experiments'}`, () =>
      void (run.experiment ? this.openExperiment(run.experiment) : this.showList())
    );
    const title = el('div', 'jp-JupyterExt-detailName', run.display_name);
    const badge = el('span', `jp-JupyterExt-badge jp-JupyterExt-status-${run.status}`, run.status);
    const facts = el('table', 'jp-JupyterExt-table jp-JupyterExt-runFacts');
    const rows: [string, string][] = [['Run', run.name], ['Source', run.source ?? '']];
    rows.push(...Object.entries(run.parameters).map(([k, v]): [string, string] => [k, String(v)]));
    for (const [key, value] of rows) {
      cells(facts.insertRow(), [key, value]);
    }
    for (const artifact of run.artifacts) {
      const row = facts.insertRow();
      row.insertCell().textContent = artifact.name;
      const cell = row.insertCell();
      cell.dataset.artifact = artifact.name;
      if (isLocalPath(artifact.value)) {
        cell.append(artifactLink({ kind: 'runs', name: run.name }, artifact.value));
      } else {
        cell.textContent = artifact.value;
      }
    }
    const parts: HTMLElement[] = [back, title, badge, facts];
    if (run.job_name) {
      const job = run.job_name;
      parts.push(button('jp-JupyterExt-childLink', `Job ${job}`, () => this.onOpenJob(job)));
    }
    parts.push(...[...bySeries(metrics.metrics)].map(([metric, points]) => metricChart(metric, points).node));
    this.node.dataset.run = name;
    this._body.replaceChildren(...parts);
  }

  /** Whether `answer` is what is drawn already (then nothing is redrawn). */
  private _unchanged(what: string, answer: unknown): boolean {
    const key = `${what}:${JSON.stringify(answer)}`;
    const same = key === this._drawn;
    this._drawn = key;
    return same;
  }

  private _drawn = '';
  private _metric: string | null = null;
  private _ascending: boolean | null = null;
  private _experiment: string | null = null;
  private _run: string | null = null;
  private readonly _body: HTMLDivElement;
}
