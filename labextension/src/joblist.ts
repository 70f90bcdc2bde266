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

/** How many characters of a name's end stay visible when the middle is elided. */
const NAME_TAIL = 10;

/**
 * A job's name that fits its row: when it is too wide the middle is elided ("tune-in-s…
 * sidebar-003"), so the start and the distinguishing end both show; the full name is the
 * row's tooltip.
 */
export function nameLabel(name: string): HTMLSpanElement {
  const label = el('span', 'jp-JupyterExt-name');
  const cut = name.length > NAME_TAIL * 2 ? name.length - NAME_TAIL : name.length;
  label.append(el('span', 'jp-JupyterExt-nameStart', name.slice(0, cut)));
  if (cut < name.length) {
    label.append(el('span', 'jp-JupyterExt-nameEnd', name.slice(cut)));
  }
  label.title = name;
  return label;
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

  /** Fetch the list (a 304 keeps what is shown) and draw it; never throws. Without a
   * filter the list holds the jobs no job launched, and a parent's children are fetched
   * when its row is expanded. */
  async refresh(): Promise<void> {
    const request: ListJobsRequest = {
      type: this._type.value || null,
      status: this._status.value || null,
      name_contains: this._search.value.trim() || null,
      limit: this._limit
    };
    request.top_level = !request.type && !request.status && !request.name_contains;
    const key = JSON.stringify(request);
    try {
      const { page, etag } = await listJobs(request, key === this._key ? this._etag : null);
      this._key = key;
      this._etag = etag;
      if (page) {
        this._jobs = page.jobs;
        this._hasMore = page.next_cursor !== null;
      }
      this._nested = request.top_level;
      await this._refreshChildren();
      this._message.textContent = this._jobs.length ? '' : 'No jobs yet: launch one with %%train or Estimator.fit().';
    } catch (error) {
      this._message.textContent = `Cannot list jobs: ${(error as Error).message}`;
    }
    this.render();
  }

  /** Draw the rows from the last fetched page (elapsed times move on). */
  render(): void {
    const rows: HTMLLIElement[] = [];
    for (const job of this._jobs) {
      rows.push(this._row(job, false));
      const children = this._children.get(job.name);
      if (this._nested && this._expanded.has(job.name) && children) {
        const nested = el('li', 'jp-JupyterExt-childRows');
        nested.dataset.parent = job.name;
        const list = el('ul', 'jp-JupyterExt-rows');
        list.append(...children.map(child => this._row(child, true)));
        nested.append(list);
        rows.push(nested);
      }
    }
    this._rows.replaceChildren(...rows);
    this._more.hidden = !this._hasMore;
  }

  /** Whether any listed job (or shown child) can still change. */
  get hasActiveJobs(): boolean {
    const shown = [...this._jobs, ...[...this._expanded].flatMap(name => this._children.get(name) ?? [])];
    return shown.some(job => ACTIVE_STATUSES.includes(job.status));
  }

  /** Show or hide the jobs `name` launched. */
  async toggle(name: string): Promise<void> {
    if (this._expanded.delete(name)) {
      this.render();
      return;
    }
    this._expanded.add(name);
    await this._refreshChildren();
    this.render();
  }

  /** The children of every expanded parent still listed. */
  private async _refreshChildren(): Promise<void> {
    const listed = new Set(this._jobs.map(job => job.name));
    const parents = [...this._expanded].filter(name => listed.has(name));
    const pages = await Promise.all(parents.map(parent => listJobs({ parent, limit: 1000 }, null)));
    parents.forEach((parent, i) => this._children.set(parent, [...(pages[i].page?.jobs ?? [])].reverse()));
  }

  private _row(job: JobSummary, child: boolean): HTMLLIElement {
    const row = el('li', child ? 'jp-JupyterExt-row jp-mod-child' : 'jp-JupyterExt-row');
    row.dataset.jobName = job.name;
    row.dataset.status = job.status;
    row.tabIndex = 0;
    row.title = job.failure_reason ? `${job.name}\n${job.status}: ${job.failure_reason}` : `${job.name}\n${job.status}`;
    const icon = el('span', `jp-JupyterExt-statusIcon jp-JupyterExt-status-${job.status}`);
    icon.setAttribute('aria-label', job.status);
    const metric = job.primary_metric ? `${job.primary_metric.name} ${formatValue(job.primary_metric.value)}` : '';
    const type = el('span', 'jp-JupyterExt-type', (TYPE_LABELS[job.job_type] ?? job.job_type) + (job.parent && !child ? ` · ${job.parent}` : ''));
    if (this._nested && job.child_count > 0) {
      type.append(this._toggle(job));
    }
    row.append(
      icon,
      nameLabel(job.name),
      type,
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

  private _toggle(job: JobSummary): HTMLButtonElement {
    const open = this._expanded.has(job.name);
    const toggle = button('jp-JupyterExt-toggle', `${open ? '▾' : '▸'} ${job.child_count} job${job.child_count === 1 ? '' : 's'}`, () => undefined);
    toggle.setAttribute('aria-expanded', String(open));
    toggle.title = open ? 'Hide the jobs it launched' : 'Show the jobs it launched';
    toggle.addEventListener('click', event => {
      event.stopPropagation();
      void this.toggle(job.name);
    });
    return toggle;
  }

  private _jobs: JobSummary[] = [];
  private _nested = true;
  private readonly _expanded = new Set<string>();
  private readonly _children = new Map<string, JobSummary[]>();
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
