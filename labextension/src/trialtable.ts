/**
 * A tuning job's training jobs as a table: a column per tuned hyperparameter, the objective,
 * status and duration; click a header to sort by it (again to reverse), type to filter.
 */
import { formatValue } from './chart';
import { el } from './dom';
import { TuningJobDescription, TuningTrial } from './models';

/** A sortable column: its key, header, and how a trial reads in it. */
interface IColumn {
  key: string;
  header: string;
  value: (trial: TuningTrial) => string | number | null;
  text: (trial: TuningTrial) => string;
}

function seconds(value: number | null): string {
  if (value === null) {
    return '';
  }
  return value < 60 ? `${value.toFixed(1)}s` : `${Math.floor(value / 60)}m ${String(Math.round(value % 60)).padStart(2, '0')}s`;
}

function parameterText(value: unknown): string {
  if (value === undefined || value === null) {
    return '—';
  }
  return typeof value === 'number' ? formatValue(value) : String(value);
}

/** The tuned hyperparameters' names, in the order the ranges list them, once each. */
export function parameterNames(job: TuningJobDescription): string[] {
  return [...new Set(job.ranges.map(range => range.name))];
}

function columns(job: TuningJobDescription): IColumn[] {
  const parameters = parameterNames(job).map((name): IColumn => ({
    key: `hp:${name}`,
    header: name,
    value: trial => {
      const value = trial.hyperparameters[name];
      return typeof value === 'number' || typeof value === 'string' ? value : null;
    },
    text: trial => parameterText(trial.hyperparameters[name])
  }));
  const several = new Set(job.trials.map(trial => trial.definition)).size > 1;
  return [
    { key: 'name', header: 'training job', value: t => t.name, text: t => t.name },
    ...(several ? [{ key: 'definition', header: 'algorithm', value: (t: TuningTrial) => t.definition, text: (t: TuningTrial) => t.definition }] : []),
    ...parameters,
    { key: 'objective', header: job.objective_metric_name, value: t => t.objective, text: t => (t.objective === null ? '' : formatValue(t.objective)) },
    { key: 'status', header: 'status', value: t => t.status, text: t => t.status + (t.early_stopped ? ' (early stopped)' : '') },
    { key: 'duration', header: 'duration', value: t => t.elapsed_seconds, text: t => seconds(t.elapsed_seconds) }
  ];
}

/** The trials table; `onOpen(name)` shows a training job in the sidebar. */
export class TrialTable {
  readonly node = el('div', 'jp-JupyterExt-trials');

  constructor(private readonly onOpen: (name: string) => void) {
    this._filter = el('input', 'jp-mod-styled jp-JupyterExt-search jp-JupyterExt-trialFilter');
    this._filter.type = 'search';
    this._filter.placeholder = 'Filter trials (name, status, value)';
    this._filter.addEventListener('input', () => this._draw());
    this._count = el('span', 'jp-JupyterExt-type jp-JupyterExt-trialCount');
    const bar = el('div', 'jp-JupyterExt-filters');
    bar.append(this._filter, this._count);
    this._table = el('table', 'jp-JupyterExt-table jp-JupyterExt-grid jp-JupyterExt-trialTable');
    this.node.append(bar, this._table);
  }

  /** Show `job`'s trials (keeping the sort and the filter). */
  show(job: TuningJobDescription): void {
    this._job = job;
    this._draw();
  }

  /** Sort by column `key`: a second call on the same column reverses the order. The
   * objective sorts best first (highest when maximizing, lowest when minimizing). */
  sortBy(key: string): void {
    if (this._sort === key) {
      this._descending = !this._descending;
    } else {
      this._sort = key;
      this._descending = key === 'objective' && this._job?.objective_type === 'Maximize';
    }
    this._draw();
  }

  private _rows(job: TuningJobDescription, column: IColumn | undefined): TuningTrial[] {
    const needle = this._filter.value.trim().toLowerCase();
    const all = columns(job);
    let trials = job.trials.filter(trial => !needle || all.some(c => c.text(trial).toLowerCase().includes(needle)));
    if (column) {
      const sign = this._descending ? -1 : 1;
      trials = [...trials].sort((a, b) => {
        const [x, y] = [column.value(a), column.value(b)];
        if (x === null || y === null) {
          return x === y ? 0 : x === null ? 1 : -1; // no value: last either way
        }
        return sign * (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y)));
      });
    }
    return trials;
  }

  private _draw(): void {
    const job = this._job;
    if (!job) {
      return;
    }
    const all = columns(job);
    const column = all.find(c => c.key === this._sort);
    const head = el('thead', '');
    const headRow = head.insertRow();
    for (const c of all) {
      const th = el('th', 'jp-JupyterExt-sortable', c.header);
      th.dataset.column = c.key;
      th.title = `Sort by ${c.header}`;
      if (c.key === this._sort) {
        th.dataset.order = this._descending ? 'descending' : 'ascending';
        th.textContent = `${c.header} ${this._descending ? '▼' : '▲'}`;
      }
      th.addEventListener('click', () => this.sortBy(c.key));
      headRow.append(th);
    }
    const body = el('tbody', '');
    const rows = this._rows(job, column);
    for (const trial of rows) {
      const row = body.insertRow();
      row.dataset.trial = trial.name;
      row.dataset.status = trial.status;
      if (trial.is_best) {
        row.classList.add('jp-mod-best');
        row.dataset.best = 'true';
        row.title = `The best training job: ${job.objective_metric_name} ${trial.objective}`;
      }
      for (const c of all) {
        const cell = row.insertCell();
        cell.dataset.column = c.key;
        cell.textContent = c.key === 'name' && trial.is_best ? `★ ${c.text(trial)}` : c.text(trial);
      }
      row.addEventListener('click', () => this.onOpen(trial.name));
    }
    this._table.replaceChildren(head, body);
    this._count.textContent = `${rows.length} of ${job.trials.length} training jobs`;
  }

  private _job: TuningJobDescription | null = null;
  private _sort = '';
  private _descending = false;
  private readonly _filter: HTMLInputElement;
  private readonly _count: HTMLSpanElement;
  private readonly _table: HTMLTableElement;
}
