/**
 * One job in detail: status and its history, hyperparameters, a chart per metric,
 * the log tail (followed while the job runs), artifacts, debugger rule statuses, and Stop
 * with confirmation.
 */
import { Dialog, showDialog, showErrorMessage } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { artifactLink } from './artifacts';
import { bySeries, metricChart, updateMetricChart, VegaChart } from './chart';
import { describeJob, elapsed, listMetrics, listRuleEvaluations, readLog, stopJob } from './client';
import { button, el, section, table } from './dom';
import { LabelingSummary } from './labelingsummary';
import { ACTIVE_STATUSES, JobDescription, JobStatus, LogLine, MetricPoint, RuleEvaluationStatus } from './models';
import { DEBUGGER_DETAILS, RULES_DETAIL, ruleActive, ruleList, tensorsPath } from './rules';

const MAX_LOG_LINES = 2000;
/** The job types that have a main-area page: the button's label and tooltip. */
const PAGES: Record<string, [string, string]> = {
  Tuning: ['Open tuning job page', 'The training jobs with their hyperparameters and objective, sortable, with charts'],
  AutoML: ['Open AutoML job page', 'The candidate leaderboard, the best candidate and the generated notebooks'],
  Labeling: ['Label', 'Open the labeling panel: your queue one item at a time, with the instructions']
};
/** The statuses in which the Stop button stops a job. */
const STOPPABLE: readonly string[] = [JobStatus.Pending, JobStatus.InProgress];

function localTime(iso: string | null): string {
  return iso ? new Date(iso).toLocaleTimeString() : '';
}

/**
 * The detail pane; `onBack()` returns to the list; `onOpenPage(jobType, name)` opens a job's
 * page in the main area (jobType 'Job': the job page, this detail at full size). On that page
 * (`onPage`) there is no back button, and charts are `chartHeight` px tall.
 */
export class JobDetail extends Widget {
  constructor(
    onBack: () => void,
    private readonly onOpen: (name: string) => void,
    onOpenPage: (jobType: string, name: string) => void = () => undefined,
    onPage = false,
    private readonly chartHeight = 140
  ) {
    super();
    this.addClass('jp-JupyterExt-detail');
    const header = el('div', 'jp-JupyterExt-detailHeader');
    const back = button('jp-JupyterExt-back', '‹ Jobs', onBack);
    back.hidden = onPage;
    const expand = button('jp-JupyterExt-openJobPage', '⤢', () => this._name && onOpenPage('Job', this._name));
    expand.title = 'Open the job page in the main area (full-size charts)';
    expand.hidden = onPage;
    this._title = el('span', 'jp-JupyterExt-detailName');
    this._badge = el('span', 'jp-JupyterExt-badge');
    this._stop = button('jp-mod-warn jp-JupyterExt-stop', 'Stop', () => void this._confirmStop());
    header.append(back, this._title, this._badge, this._stop, expand);
    this._page = button('jp-JupyterExt-openPage', '', () => {
      if (this._name && this._job) {
        onOpenPage(this._job.job_type, this._name);
      }
    });
    this._page.hidden = true;
    this._summary = el('div', 'jp-JupyterExt-summary');
    const [history, historyBody] = section('Status history', 'jp-JupyterExt-history');
    const [params, paramsBody] = section('Hyperparameters', 'jp-JupyterExt-hyperparameters');
    const [metrics, metricsBody] = section('Metrics', 'jp-JupyterExt-metrics');
    const [log, logBody] = section('Log', 'jp-JupyterExt-log');
    const [artifacts, artifactsBody] = section('Artifacts', 'jp-JupyterExt-artifacts');
    const [children, childrenBody] = section('Jobs it launched', 'jp-JupyterExt-children');
    const [rules, rulesBody] = section('Debugger rules', 'jp-JupyterExt-rules');
    this._rulesSection = rules;
    this._rules = rulesBody;
    rules.hidden = true;
    this._childrenSection = children;
    this._children = childrenBody;
    this._labeling = new LabelingSummary(chartHeight);
    this._log = el('pre', 'jp-JupyterExt-logText');
    logBody.append(this._log);
    [this._history, this._params, this._metrics, this._artifacts] = [historyBody, paramsBody, metricsBody, artifactsBody];
    this.node.append(header, this._page, this._summary, this._labeling.node, children, rules, metrics, log, history, params,
      artifacts);
  }

  /** The job shown, if any. */
  get jobName(): string | null {
    return this._name;
  }

  /** Whether the shown job can still change (worth polling). */
  get active(): boolean {
    return this._job !== null && (ACTIVE_STATUSES.includes(this._job.status) || this._ruleList.some(ruleActive));
  }

  /** Show job `name` from scratch. */
  async open(name: string): Promise<void> {
    this._name = name;
    this._job = null;
    this._offset = null;
    this._lines = [];
    this._ruleList = [];
    this._charts.forEach(chart => chart.dispose());
    this._charts.clear();
    this._metrics.replaceChildren();
    this._rulesSection.hidden = true;
    this._log.textContent = '';
    this._title.textContent = name;
    this._title.title = name;
    this.node.dataset.jobName = name;
    await this.refresh();
  }

  /** Fetch the job, new log lines and metrics, and draw them; never throws. */
  async refresh(): Promise<void> {
    const name = this._name;
    if (!name) {
      return;
    }
    try {
      const [job, metrics] = await Promise.all([describeJob(name), listMetrics(name)]);
      const chunk = await readLog(name, this._offset === null ? { tail_lines: 200 } : { offset: this._offset });
      if (name !== this._name) {
        return; // another job was opened meanwhile
      }
      this._job = job;
      this._offset = chunk.next_offset;
      this._appendLog(chunk.lines);
      this._render(job);
      this._drawMetrics(bySeries(metrics.metrics));
      await Promise.all([this._refreshRules(job), this._labeling.show(name, job.job_type === 'Labeling')]);
    } catch (error) {
      this._summary.textContent = `Cannot load ${name}: ${(error as Error).message}`;
    }
  }

  /** A chart per metric, kept across refreshes (new points go into the same chart). */
  private _drawMetrics(series: Map<string, MetricPoint[]>): void {
    for (const [metric, chart] of this._charts) {
      if (!series.has(metric)) {
        chart.dispose();
        this._charts.delete(metric);
      }
    }
    for (const [metric, points] of series) {
      const chart = this._charts.get(metric);
      if (chart) {
        updateMetricChart(chart, metric, points);
      } else {
        this._charts.set(metric, metricChart(metric, points, this.chartHeight));
      }
    }
    const nodes = [...this._charts.values()].map(chart => chart.node);
    // A finished job that logged no metric has no Metrics section (nothing will come).
    this._metrics.parentElement!.hidden = !nodes.length && !ACTIVE_STATUSES.includes(this._job?.status ?? '');
    if (!nodes.length) {
      this._metrics.textContent = 'No metrics yet.';
    } else if (nodes.some((node, i) => this._metrics.children[i] !== node)) {
      this._metrics.replaceChildren(...nodes);
    }
  }

  /** The debugger rules' statuses, for a training job that has rules. */
  private async _refreshRules(job: JobDescription): Promise<void> {
    if (!(RULES_DETAIL in job.details)) {
      return;
    }
    try {
      const { rule_evaluations } = await listRuleEvaluations(job.name);
      if (job.name !== this._name) {
        return;
      }
      this._ruleList = rule_evaluations;
      this._rulesSection.hidden = false;
      const tensors = tensorsPath(job.details);
      this._rules.replaceChildren(ruleList(rule_evaluations));
      if (tensors) {
        this._rules.append(el('div', 'jp-JupyterExt-type jp-JupyterExt-tensorsPath', `Tensors in ${tensors}`));
      }
    } catch (error) {
      this._rules.textContent = `Cannot load the rules: ${(error as Error).message}`;
    }
  }

  private _render(job: JobDescription): void {
    this._badge.textContent = job.status;
    this._badge.className = `jp-JupyterExt-badge jp-JupyterExt-status-${job.status}`;
    this.node.dataset.status = job.status;
    this._stop.disabled = !STOPPABLE.includes(job.status);
    this._page.hidden = !(job.job_type in PAGES);
    [this._page.textContent, this._page.title] = PAGES[job.job_type] ?? ['', ''];
    const rows: [string, string][] = [
      ['Type', job.job_type],
      ['Secondary status', job.secondary_status ?? ''],
      ['Created', new Date(job.created_at).toLocaleString()],
      ['Elapsed', elapsed(job.started_at, job.ended_at)]
    ];
    if (job.failure_reason) {
      rows.push(['Failure reason', job.failure_reason]);
    }
    if (job.parent) {
      rows.push(['Launched by', job.parent]);
    }
    // Where it ran: one row for a one-host job, a row per host otherwise.
    for (const host of job.hosts) {
      rows.push([job.hosts.length > 1 ? `Host ${host.name}` : 'Ran on', host.where]);
    }
    for (const [key, value] of Object.entries(job.details)) {
      if (DEBUGGER_DETAILS.includes(key)) {
        continue; // shown in the rules section
      }
      rows.push([key.replace(/_/g, ' '), typeof value === 'object' ? JSON.stringify(value) : String(value)]);
    }
    this._summary.replaceChildren(table(rows));
    this._history.replaceChildren(
      table(job.transitions.map(t => [localTime(t.start_time), t.message && t.message !== t.status ? `${t.status}: ${t.message}` : t.status]))
    );
    this._childrenSection.hidden = job.children.length === 0;
    this._children.replaceChildren(
      ...job.children.map(name => {
        const link = button('jp-JupyterExt-childLink', name, () => this.onOpen(name));
        link.dataset.jobName = name;
        return link;
      })
    );
    const params = Object.entries(job.hyperparameters).map(([k, v]): [string, string] => [k, JSON.stringify(v)]);
    this._params.parentElement!.hidden = !params.length;
    this._params.replaceChildren(...(params.length ? [table(params)] : []));
    const artifacts: [string, string][] = [];
    if (job.model_data) {
      artifacts.push(['Model', job.model_data]);
    }
    if (job.output_data) {
      artifacts.push(['Output data', job.output_data]);
    }
    for (const [key, value] of Object.entries(job.outputs)) {
      if (key !== 'model_data') {
        artifacts.push([key, String(value)]);
      }
    }
    artifacts.push(['Job folder', job.job_dir], ['Log file', job.log_path]);
    const key = JSON.stringify([job.name, artifacts]);
    if (key === this._artifactsKey) {
      return; // the same: keep what was expanded
    }
    this._artifactsKey = key;
    const links = table(artifacts);
    for (const row of Array.from(links.rows)) {
      const cell = row.cells[1];
      const value = cell.textContent ?? '';
      if (value.startsWith('/') || value.startsWith('file://')) {
        cell.replaceChildren(artifactLink({ kind: 'jobs', name: job.name }, value));
      }
    }
    this._artifacts.replaceChildren(links);
  }

  private _appendLog(lines: LogLine[]): void {
    if (!lines.length) {
      return;
    }
    const atBottom = this._log.scrollTop + this._log.clientHeight >= this._log.scrollHeight - 4;
    this._lines = this._lines.concat(lines.map(line => line.message)).slice(-MAX_LOG_LINES);
    this._log.textContent = this._lines.join('\n');
    if (atBottom) {
      this._log.scrollTop = this._log.scrollHeight;
    }
  }

  private async _confirmStop(): Promise<void> {
    const name = this._name;
    if (!name) {
      return;
    }
    const result = await showDialog({
      title: 'Stop job?',
      body: `Stop ${name}? Its program gets SIGTERM, then SIGKILL after the grace period.`,
      buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: 'Stop job' })]
    });
    if (!result.button.accept) {
      return;
    }
    try {
      await stopJob(name);
    } catch (error) {
      await showErrorMessage('Cannot stop the job', error as Error);
    }
    await this.refresh();
  }

  private _artifactsKey = '';
  private _name: string | null = null;
  private _job: JobDescription | null = null;
  private _offset: number | null = null;
  private _lines: string[] = [];
  private readonly _title: HTMLSpanElement;
  private readonly _badge: HTMLSpanElement;
  private readonly _stop: HTMLButtonElement;
  private readonly _page: HTMLButtonElement;
  private readonly _summary: HTMLDivElement;
  private readonly _log: HTMLPreElement;
  private readonly _history: HTMLElement;
  private readonly _params: HTMLElement;
  private readonly _metrics: HTMLElement;
  private readonly _artifacts: HTMLElement;
  private readonly _children: HTMLElement;
  private readonly _childrenSection: HTMLElement;
  private readonly _rules: HTMLElement;
  private readonly _rulesSection: HTMLElement;
  private readonly _labeling: LabelingSummary;
  private _ruleList: RuleEvaluationStatus[] = [];
  private readonly _charts = new Map<string, VegaChart>();
}
