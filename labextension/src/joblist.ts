/**
 * The list of jobs: filters, and a live-updating row per job (status, type, name,
 * elapsed time, primary metric). It polls only while shown and the page is visible,
 * and the server answers an unchanged list with an empty 304.
 */
import { Widget } from '@lumino/widgets';

import { formatValue } from './chart';
import { elapsed, listJobs } from './client';
import { button, el } from './dom';
import { ACTIVE_STATUSES, JobStatus, JobSummary, ListJobsRequest } from './models';

const TYPES = ['', 'Training', 'Processing', 'Tuning', 'AutoML'];
const TYPE_LABELS: Record<string, string> = { Training: 'train', Processing: 'process', Tuning: 'tune', AutoML: 'automl' };
const STATUSES = [
  '',
  JobStatus.Pending,
  JobStatus.InProgress,
  JobStatus.Completed,
  JobStatus.Failed,
  JobStatus.Stopping,
  JobStatus.Stopped
];

function select(label: string, all: string, options: string[], onChange: () => void): HTMLSelectElement {
  const element = el('select', 'jp-mod-styled jp-JupyterExt-filter');
  element.title = label;
  element.setAttribute('aria-label', label);
  for (const option of options) {
    element.append(new Option(option || all, option));
  }
  element.addEventListener('change', onChange);
  return element;
}

/** The job list; `onOpen(name)` is called when a row is clicked. */
export class JobList extends Widget {
  constructor(private readonly onOpen: (name: string) => void) {
    super();
    this.addClass('jp-JupyterExt-jobList');
    const filters = el('div', 'jp-JupyterExt-filters');
    this._type = select('Type', 'All types', TYPES, () => this.refresh());
    this._status = select('Status', 'All statuses', STATUSES, () => this.refresh());
    this._search = el('input', 'jp-mod-styled jp-JupyterExt-search');
    this._search.type = 'search';
    this._search.placeholder = 'Filter by name';
    this._search.addEventListener('input', () => this.refresh());
    filters.append(this._search, this._type, this._status);
    this._rows = el('ul', 'jp-JupyterExt-rows');
    this._message = el('p', 'jp-JupyterExt-message');
    this._more = button('jp-JupyterExt-more', 'Show more', () => {
      this._limit += 50;
      void this.refresh();
    });
    this.node.append(filters, this._message, this._rows, this._more);
  }

  /** The jobs shown now. */
  get jobs(): JobSummary[] {
    return this._jobs;
  }

  /** Fetch the list (a 304 keeps what is shown) and draw it; never throws. */
  async refresh(): Promise<void> {
    const request: ListJobsRequest = {
      type: this._type.value || null,
      status: this._status.value || null,
      name_contains: this._search.value.trim() || null,
      limit: this._limit
    };
    const key = JSON.stringify(request);
    try {
      const { page, etag } = await listJobs(request, key === this._key ? this._etag : null);
      this._key = key;
      this._etag = etag;
      if (page) {
        this._jobs = page.jobs;
        this._hasMore = page.next_cursor !== null;
      }
      this._message.textContent = this._jobs.length ? '' : 'No jobs yet: launch one with %%train or Estimator.fit().';
    } catch (error) {
      this._message.textContent = `Cannot list jobs: ${(error as Error).message}`;
    }
    this.render();
  }

  /** Draw the rows from the last fetched page (elapsed times move on). */
  render(): void {
    this._rows.replaceChildren(...this._jobs.map(job => this._row(job)));
    this._more.hidden = !this._hasMore;
  }

  /** Whether any listed job can still change. */
  get hasActiveJobs(): boolean {
    return this._jobs.some(job => ACTIVE_STATUSES.includes(job.status));
  }

  private _row(job: JobSummary): HTMLLIElement {
    const row = el('li', 'jp-JupyterExt-row');
    row.dataset.jobName = job.name;
    row.dataset.status = job.status;
    row.tabIndex = 0;
    row.title = job.failure_reason ? `${job.status}: ${job.failure_reason}` : `${job.status} (${job.secondary_status ?? ''})`;
    const icon = el('span', `jp-JupyterExt-statusIcon jp-JupyterExt-status-${job.status}`);
    icon.setAttribute('aria-label', job.status);
    const metric = job.primary_metric ? `${job.primary_metric.name} ${formatValue(job.primary_metric.value)}` : '';
    row.append(
      icon,
      el('span', 'jp-JupyterExt-name', job.name),
      el('span', 'jp-JupyterExt-type', (TYPE_LABELS[job.job_type] ?? job.job_type) + (job.parent ? ` · ${job.parent}` : '')),
      el('span', 'jp-JupyterExt-elapsed', elapsed(job.started_at, job.ended_at)),
      el('span', 'jp-JupyterExt-metric', metric)
    );
    row.addEventListener('click', () => this.onOpen(job.name));
    row.addEventListener('keydown', event => {
      if (event.key === 'Enter') {
        this.onOpen(job.name);
      }
    });
    return row;
  }

  private _jobs: JobSummary[] = [];
  private _hasMore = false;
  private _limit = 50;
  private _etag: string | null = null;
  private _key = '';
  private readonly _type: HTMLSelectElement;
  private readonly _status: HTMLSelectElement;
  private readonly _search: HTMLInputElement;
  private readonly _rows: HTMLUListElement;
  private readonly _message: HTMLParagraphElement;
  private readonly _more: HTMLButtonElement;
}
