/**
 * The list of jobs: filters, and a live-updating row per job (status, type, name,
 * elapsed time, primary metric). It polls only while shown and the page is visible,
 * and the server answers an unchanged list with an empty 304.
 */
import { Widget } from '@lumino/widgets';

import { formatValue } from './chart';
import { ACTIVE_STATUSES, elapsed, listJobs } from './client';
import { JobSummary, ListJobsRequest } from './models';

const TYPES = ['', 'Training', 'Processing'];
const STATUSES = ['', 'Pending', 'InProgress', 'Completed', 'Failed', 'Stopping', 'Stopped'];

function select(label: string, all: string, options: string[], onChange: () => void): HTMLSelectElement {
  const element = document.createElement('select');
  element.className = 'jp-mod-styled jp-JupyterExt-filter';
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
    const filters = document.createElement('div');
    filters.className = 'jp-JupyterExt-filters';
    this._type = select('Type', 'All types', TYPES, () => this.refresh());
    this._status = select('Status', 'All statuses', STATUSES, () => this.refresh());
    this._search = document.createElement('input');
    this._search.type = 'search';
    this._search.placeholder = 'Filter by name';
    this._search.className = 'jp-mod-styled jp-JupyterExt-search';
    this._search.addEventListener('input', () => this.refresh());
    filters.append(this._search, this._type, this._status);
    this._rows = document.createElement('ul');
    this._rows.className = 'jp-JupyterExt-rows';
    this._message = document.createElement('p');
    this._message.className = 'jp-JupyterExt-message';
    this._more = document.createElement('button');
    this._more.className = 'jp-mod-styled jp-JupyterExt-more';
    this._more.textContent = 'Show more';
    this._more.addEventListener('click', () => {
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
    const row = document.createElement('li');
    row.className = 'jp-JupyterExt-row';
    row.dataset.jobName = job.name;
    row.dataset.status = job.status;
    row.tabIndex = 0;
    row.title = job.failure_reason ? `${job.status}: ${job.failure_reason}` : `${job.status} (${job.secondary_status ?? ''})`;
    const icon = document.createElement('span');
    icon.className = `jp-JupyterExt-statusIcon jp-JupyterExt-status-${job.status}`;
    icon.setAttribute('aria-label', job.status);
    const name = document.createElement('span');
    name.className = 'jp-JupyterExt-name';
    name.textContent = job.name;
    const type = document.createElement('span');
    type.className = 'jp-JupyterExt-type';
    type.textContent = job.job_type === 'Training' ? 'train' : 'process';
    const time = document.createElement('span');
    time.className = 'jp-JupyterExt-elapsed';
    time.textContent = elapsed(job.started_at, job.ended_at);
    const metric = document.createElement('span');
    metric.className = 'jp-JupyterExt-metric';
    if (job.primary_metric) {
      metric.textContent = `${job.primary_metric.name} ${formatValue(job.primary_metric.value)}`;
    }
    row.append(icon, name, type, time, metric);
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
