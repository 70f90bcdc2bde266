/**
 * An AutoML job's data profile on its page: what the job found in its table before training
 * (rows, duplicates, missing values, the target's classes, the columns it left out and why),
 * and each input column's type, missing share, distinct values, prediction power and numbers,
 * the most predictive first: the numbers of the Data Exploration notebook.
 */
import { formatValue } from './chart';
import { el, table } from './dom';
import { DataProfile, ProfiledColumn } from './models';

function number(value: number | null | undefined): string {
  return value === null || value === undefined ? '' : formatValue(value);
}

function columnsTable(columns: ProfiledColumn[]): HTMLTableElement {
  const grid = el('table', 'jp-JupyterExt-table jp-JupyterExt-grid jp-JupyterExt-profileColumns');
  const head = grid.createTHead().insertRow();
  for (const header of ['column', 'type', 'missing %', 'distinct', 'prediction power', 'mean', 'median', 'min', 'max']) {
    head.append(el('th', '', header));
  }
  const body = grid.createTBody();
  for (const column of columns) {
    const row = body.insertRow();
    row.dataset.column = column.name;
    const values = [column.name, column.column_type, number(column.missing_percent), String(column.cardinality)];
    for (const value of values) {
      row.insertCell().textContent = value;
    }
    const power = row.insertCell();
    power.className = 'jp-JupyterExt-power';
    if (column.prediction_power !== null) {
      const bar = el('span', 'jp-JupyterExt-powerBar');
      bar.style.width = `${Math.round(column.prediction_power * 60)}px`;
      power.append(bar, el('span', '', ` ${formatValue(column.prediction_power)}`));
    }
    for (const value of [column.mean, column.median, column.minimum, column.maximum]) {
      row.insertCell().textContent = number(value);
    }
  }
  return grid;
}

/** The profile's summary table, its columns table and, if any, the columns left out. */
export function profileParts(profile: DataProfile): HTMLElement[] {
  const rows: [string, string][] = [
    ['Rows', profile.sample_rows < profile.rows ? `${profile.rows} (profiled on ${profile.sample_rows})` : String(profile.rows)],
    ['Duplicate rows', String(profile.duplicate_rows)],
    ['Missing input values', `${formatValue(profile.missing_feature_percent)} %`],
    ['Missing targets', `${formatValue(profile.target_missing_percent)} %`]
  ];
  const classes = Object.entries(profile.target_classes);
  if (classes.length) {
    rows.push(['Target classes', classes.map(([name, count]) => `${name}: ${count}`).join(', ')]);
  }
  const parts: HTMLElement[] = [table(rows), columnsTable(profile.columns)];
  const dropped = Object.entries(profile.dropped_columns);
  if (dropped.length) {
    const list = el('ul', 'jp-JupyterExt-dropped');
    list.append(...dropped.map(([column, why]) => el('li', '', `${column}: ${why}`)));
    parts.push(el('div', 'jp-JupyterExt-type', 'Left out:'), list);
  }
  return parts;
}
