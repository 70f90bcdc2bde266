/**
 * The Lifecycle view: where the scripts come from, the last runs of on-create and
 * on-start (status, exit code, duration, when), a run's log on click, and "Run on-start".
 */
import { elapsed, lifecycleStatus, readLifecycleLog, startLifecycleRun } from './client';
import { badge, button, el, localDateTime, section, table } from './dom';
import { JobStatus, LifecycleRun, LifecycleStatus } from './models';
import { IPanelView } from './view';

const RUNS_SHOWN = 20;
const LOG_LINES = 500;

function duration(run: LifecycleRun): string {
  if (run.duration_seconds !== null) {
    return `${run.duration_seconds.toFixed(1)}s`;
  }
  return elapsed(run.started_at, run.ended_at);
}

/** Each hook's latest listed run (runs come newest first). */
function latestRuns(status: LifecycleStatus): LifecycleRun[] {
  const latest = new Map<string, LifecycleRun>();
  for (const run of status.runs) {
    if (!latest.has(run.hook)) {
      latest.set(run.hook, run);
    }
  }
  return [...latest.values()];
}

/**
 * Whether the latest run of a hook failed. Read from the runs listed, so the badge agrees
 * with the rows even when a run ended between the server's two reads; the server's flag
 * counts for a hook whose latest run is not listed.
 */
export function latestRunFailed(status: LifecycleStatus): boolean {
  const latest = latestRuns(status);
  const listed = latest.some(run => run.status === JobStatus.Failed);
  return latest.length === Object.keys(status.scripts).length ? listed : listed || status.failed;
}

/** Lifecycle scripts' runs; `onFailed` hears after every fetch whether the latest run failed. */
export class LifecycleView implements IPanelView {
  readonly node = el('div', 'jp-JupyterExt-lifecycle');

  constructor(private readonly onFailed: (failed: boolean) => void) {
    const actions = el('div', 'jp-JupyterExt-filters');
    this._runButton = button('jp-JupyterExt-runOnStart', 'Run on-start', () => void this._runOnStart());
    this._runButton.title = 'Run the on-start script now, in the background';
    actions.append(this._runButton);
    this._message = el('p', 'jp-JupyterExt-message');
    this._alert = el('p', 'jp-JupyterExt-alert');
    this._settings = el('div', 'jp-JupyterExt-lifecycleSettings');
    this._rows = el('ul', 'jp-JupyterExt-rows jp-JupyterExt-lifecycleRuns');
    const [log, logBody] = section('Log', 'jp-JupyterExt-log jp-JupyterExt-lifecycleLog');
    this._logSection = log;
    this._logTitle = el('div', 'jp-JupyterExt-detailName');
    this._log = el('pre', 'jp-JupyterExt-logText');
    logBody.append(this._logTitle, this._log);
    log.hidden = true;
    this.node.append(actions, this._alert, this._message, this._rows, log, this._settings);
  }

  /** Whether a run is in progress (or the status is not known yet): worth asking again. */
  get running(): boolean {
    return this._status === null ? this._loading : this._status.runs.some(run => run.status === JobStatus.InProgress);
  }

  /** Fetch the status and the open run's log; never throws. */
  async refresh(): Promise<void> {
    try {
      const status = await lifecycleStatus(RUNS_SHOWN);
      this._status = status;
      this._render(status);
      this.onFailed(latestRunFailed(status));
      if (this._open !== null) {
        await this._showLog(this._open);
      }
    } catch (error) {
      this._message.textContent = `Cannot load the lifecycle runs: ${(error as Error).message}`;
    } finally {
      this._loading = false;
    }
  }

  /** Poll every POLL_MS while a run is in progress. */
  tick(due: boolean): void {
    if (due && this.running) {
      void this.refresh();
    }
  }

  private _render(status: LifecycleStatus): void {
    const failed = latestRunFailed(status);
    const failedRun = latestRuns(status).find(run => run.status === JobStatus.Failed);
    this._alert.hidden = !failed;
    this._alert.textContent = !failed ? '' : failedRun
      ? `The latest ${failedRun.hook} run failed: ${failedRun.failure_reason ?? `exit code ${failedRun.exit_code}`}`
      : 'A lifecycle script cannot run: see the server log.';
    this._message.textContent = status.runs.length ? '' : 'No lifecycle runs yet in this home.';
    this._runButton.disabled = status.runs.some(run => run.hook === 'on-start' && run.status === JobStatus.InProgress);
    this._rows.replaceChildren(...status.runs.map(run => this._row(run)));
    const scripts = Object.entries(status.scripts).map(([hook, path]): [string, string] => [hook, path ?? 'none']);
    this._settings.replaceChildren(
      table([['Scripts from', status.source], ...scripts, ['Time limit', `${status.time_limit} s`],
        ['Environment', Object.keys(status.environment).join(', ') || 'none'],
        ['on-create done', status.on_create_done ? 'yes' : 'no']])
    );
  }

  private _row(run: LifecycleRun): HTMLLIElement {
    const row = el('li', 'jp-JupyterExt-row jp-JupyterExt-lifecycleRow');
    row.dataset.runId = String(run.run_id);
    row.dataset.status = run.status;
    row.tabIndex = 0;
    row.title = run.failure_reason ?? `${run.hook} from ${run.source} (${run.trigger})`;
    const icon = el('span', `jp-JupyterExt-statusIcon jp-JupyterExt-status-${run.status}`);
    icon.setAttribute('aria-label', run.status);
    const exit = run.exit_code === null ? '' : `exit ${run.exit_code}`;
    row.append(
      icon,
      el('span', 'jp-JupyterExt-name', `${run.hook} #${run.run_id}`),
      el('span', 'jp-JupyterExt-type', `${run.status} · ${localDateTime(run.started_at)}`),
      el('span', 'jp-JupyterExt-elapsed', duration(run)),
      el('span', 'jp-JupyterExt-metric jp-JupyterExt-exitCode', exit)
    );
    const open = () => void this._showLog(run.run_id);
    row.addEventListener('click', open);
    row.addEventListener('keydown', event => event.key === 'Enter' && open());
    return row;
  }

  private async _showLog(runId: number): Promise<void> {
    this._open = runId;
    const run = this._status?.runs.find(r => r.run_id === runId);
    try {
      const chunk = await readLifecycleLog(String(runId), { tail_lines: LOG_LINES });
      if (this._open !== runId) {
        return;
      }
      this._logSection.hidden = false;
      this._logSection.dataset.runId = String(runId);
      this._logTitle.replaceChildren(
        document.createTextNode(run ? `${run.hook} #${runId} ` : `#${runId} `),
        ...(run ? [badge(run.status)] : [])
      );
      this._log.textContent = chunk.lines.map(line => line.message).join('\n');
    } catch (error) {
      this._log.textContent = `Cannot read the log: ${(error as Error).message}`;
    }
  }

  private async _runOnStart(): Promise<void> {
    this._runButton.disabled = true;
    let problem = '';
    try {
      this._open = (await startLifecycleRun('on-start')).run_id;
    } catch (error) {
      problem = `Cannot run on-start: ${(error as Error).message}`;
    }
    await this.refresh();
    if (problem) {
      this._message.textContent = problem;
    }
  }

  private _status: LifecycleStatus | null = null;
  private _loading = true;
  private _open: number | null = null;
  private readonly _runButton: HTMLButtonElement;
  private readonly _message: HTMLParagraphElement;
  private readonly _alert: HTMLParagraphElement;
  private readonly _settings: HTMLDivElement;
  private readonly _rows: HTMLUListElement;
  private readonly _logSection: HTMLElement;
  private readonly _logTitle: HTMLDivElement;
  private readonly _log: HTMLPreElement;
}
