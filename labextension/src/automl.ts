/**
 * An AutoML job's page in JupyterLab's main area: the problem, the best candidate, the
 * candidate leaderboard (the ensemble included, with its members), buttons that open the two
 * generated notebooks in JupyterLab, the data profile, and the best candidate's feature importance. It asks the
 * server again every POLL_MS while it is shown and the job runs.
 */
import { MainAreaWidget } from '@jupyterlab/apputils';

import { profileParts } from './automlprofile';
import { formatValue, VegaChart } from './chart';
import { copyAutoMLNotebook, describeAutoMLJob, elapsed } from './client';
import { button, el, section, table } from './dom';
import { jobsIcon } from './icon';
import { ACTIVE_STATUSES, AutoMLCandidate, AutoMLJobDescription } from './models';
import { mainAreaPage, PollingPage } from './page';

function importanceChart(): VegaChart {
  return new VegaChart('jp-JupyterExt-importanceChart', 'Feature importance of the best candidate', {
    mark: { type: 'bar', tooltip: true },
    encoding: {
      y: { field: 'feature', type: 'nominal', sort: '-x', title: null },
      x: { field: 'importance', type: 'quantitative', title: 'score drop when the column is shuffled' },
      tooltip: [{ field: 'feature' }, { field: 'importance', type: 'quantitative', format: '.4~g' }]
    }
  }, 160);
}

/** The page's content; `openPath(path)` opens a file under JupyterLab's root. */
export class AutoMLJobView extends PollingPage<AutoMLJobDescription> {
  constructor(readonly jobName: string, private readonly openPath: (path: string) => void) {
    super(jobName, 'jp-JupyterExt-automlPage');
    this.node.dataset.automlJob = jobName;
    const [summary, summaryBody] = section('AutoML job', 'jp-JupyterExt-automlSummary');
    const [notebooks, notebooksBody] = section('Notebooks', 'jp-JupyterExt-notebooks');
    const [board, boardBody] = section('Candidates', 'jp-JupyterExt-candidates');
    const [importance, importanceBody] = section('Feature importance', 'jp-JupyterExt-importance');
    const [profile, profileBody] = section('Data profile', 'jp-JupyterExt-dataProfile');
    this._profile = profileBody;
    this._profileSection = profile;
    profile.hidden = true;
    [this._summary, this._notebooks, this._board, this._importance] = [summaryBody, notebooksBody, boardBody, importanceBody];
    this._importanceSection = importance;
    importance.hidden = true;
    this.node.append(summary, notebooks, board, importance, profile);
  }

  dispose(): void {
    this._chart?.dispose();
    super.dispose();
  }

  protected load(): Promise<AutoMLJobDescription> {
    return describeAutoMLJob(this.jobName);
  }

  protected isLive(job: AutoMLJobDescription): boolean {
    return ACTIVE_STATUSES.includes(job.status);
  }

  protected draw(job: AutoMLJobDescription): void {
    this._draw(job);
  }

  private _draw(job: AutoMLJobDescription): void {
    this.showStatus(job.status);
    const best = job.candidates.find(c => c.is_best);
    const rows: [string, string][] = [
      ['Problem type', job.problem_type ?? ''],
      ['Target', job.target ?? ''],
      ['Objective', job.objective_metric_name ?? ''],
      ['Mode', job.mode ?? ''],
      ['Candidates', String(job.candidates.length)],
      ['Elapsed', elapsed(job.started_at, job.ended_at)]
    ];
    if (best) {
      rows.splice(0, 0, ['Best candidate', `${best.name} (${best.algorithm}) ${job.objective_metric_name} ${formatValue(best.objective ?? 0)}`]);
    }
    if (job.failure_reason) {
      rows.push(['Failure reason', job.failure_reason]);
    }
    this._summary.replaceChildren(table(rows));
    this._notebooks.replaceChildren(...job.notebooks.map(notebook => {
      const open = button('jp-JupyterExt-openNotebook', `Open ${notebook.title}`, () => void this._open(notebook.kind));
      open.dataset.notebook = notebook.kind;
      open.title = notebook.file_name;
      return open;
    }));
    if (!job.notebooks.length) {
      this._notebooks.textContent = 'Written once the candidates are ranked.';
    }
    this._board.replaceChildren(this._leaderboard(job));
    this._drawImportance(job);
    this._drawProfile(job);
  }

  private _drawProfile(job: AutoMLJobDescription): void {
    this._profileSection.hidden = job.data_profile === null;
    const key = JSON.stringify(job.data_profile);
    if (job.data_profile && key !== this._profileKey) {
      this._profile.replaceChildren(...profileParts(job.data_profile));
    }
    this._profileKey = key;
  }

  private _leaderboard(job: AutoMLJobDescription): HTMLTableElement {
    const metrics = [...new Set(job.candidates.flatMap(c => Object.keys(c.metrics)))].filter(m => m !== job.objective_metric_name);
    const grid = el('table', 'jp-JupyterExt-table jp-JupyterExt-grid jp-JupyterExt-trialTable jp-JupyterExt-leaderboardTable');
    const head = grid.createTHead().insertRow();
    for (const header of ['#', 'candidate', 'algorithm', 'preprocessing', job.objective_metric_name ?? 'objective', ...metrics, 'status']) {
      head.append(el('th', '', header));
    }
    const body = grid.createTBody();
    for (const candidate of job.candidates) {
      const row = body.insertRow();
      row.dataset.candidate = candidate.name;
      row.classList.toggle('jp-mod-best', candidate.is_best);
      row.classList.toggle('jp-mod-ensemble', candidate.algorithm === 'ensemble');
      const values = [String(candidate.rank), (candidate.is_best ? '★ ' : '') + candidate.name, this._algorithm(candidate),
        candidate.preprocessing ?? '', candidate.objective === null ? '' : formatValue(candidate.objective),
        ...metrics.map(m => (candidate.metrics[m] === undefined ? '' : formatValue(candidate.metrics[m]))), candidate.status];
      for (const value of values) {
        row.insertCell().textContent = value;
      }
    }
    return grid;
  }

  private _algorithm(candidate: AutoMLCandidate): string {
    const members = Object.entries(candidate.members);
    if (!members.length) {
      return candidate.algorithm;
    }
    const total = members.reduce((sum, [, weight]) => sum + weight, 0) || 1;
    return `ensemble of ${members.map(([name, weight]) => `${name} (${Math.round((100 * weight) / total)}%)`).join(', ')}`;
  }

  private _drawImportance(job: AutoMLJobDescription): void {
    const entries = Object.entries(job.feature_importance);
    this._importanceSection.hidden = entries.length === 0;
    if (!entries.length) {
      return;
    }
    if (!this._chart) {
      this._chart = importanceChart();
      this._importance.replaceChildren(this._chart.node);
    }
    this._chart.setData(entries.slice(0, 20).map(([feature, importance]) => ({ feature, importance })));
  }

  private async _open(kind: string): Promise<void> {
    try {
      const { path } = await copyAutoMLNotebook(this.jobName, kind);
      this.openPath(path);
    } catch (error) {
      this.message.textContent = `Cannot open the notebook: ${(error as Error).message}`;
    }
  }

  private _chart: VegaChart | null = null;
  private _profileKey = '';
  private readonly _profile: HTMLElement;
  private readonly _profileSection: HTMLElement;
  private readonly _summary: HTMLElement;
  private readonly _notebooks: HTMLElement;
  private readonly _board: HTMLElement;
  private readonly _importance: HTMLElement;
  private readonly _importanceSection: HTMLElement;
}

/** A main-area page for AutoML job `name`. */
export function automlJobPage(name: string, openPath: (path: string) => void): MainAreaWidget<AutoMLJobView> {
  return mainAreaPage(new AutoMLJobView(name, openPath), `jupyter-ext-automl-${name}`, `AutoML: ${name}`,
    `AutoML job ${name}`, jobsIcon);
}
