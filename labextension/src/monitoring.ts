/**
 * The Monitoring section of an endpoint's detail: Model Monitor schedules with their
 * last run, and the recent runs with their violations and a link to the report.
 */
import { PageConfig, URLExt } from '@jupyterlab/coreutils';

import { badge, el, grid, localDateTime } from './dom';
import { EndpointMonitoring, MonitoringExecutionSummary, MonitoringScheduleSummary } from './models';

/** The section's content for `monitoring` (null: this server has no Model Monitor). */
export function monitoringContent(monitoring: EndpointMonitoring | null): HTMLElement[] {
  if (monitoring === null) {
    const note = 'Model Monitor not available on this server.';
    return [el('p', 'jp-JupyterExt-message jp-JupyterExt-monitorMissing', note)];
  }
  if (!monitoring.schedules.length && !monitoring.executions.length) {
    return [el('p', 'jp-JupyterExt-message', 'No monitoring schedule: create one with create_monitoring_schedule().')];
  }
  const schedules = el('ul', 'jp-JupyterExt-rows jp-JupyterExt-schedules');
  schedules.append(...monitoring.schedules.map(schedule));
  const runs = el('ul', 'jp-JupyterExt-rows jp-JupyterExt-executions');
  runs.append(...monitoring.executions.map(execution));
  const heading = (text: string) => el('h4', 'jp-JupyterExt-subheading', text);
  return [heading('Schedules'), schedules, heading('Recent runs'), runs];
}

function schedule(summary: MonitoringScheduleSummary): HTMLLIElement {
  const item = el('li', 'jp-JupyterExt-schedule');
  item.dataset.schedule = summary.monitoring_schedule_name;
  item.dataset.status = summary.status;
  const title = el('div', 'jp-JupyterExt-ruleTitle');
  title.append(el('span', 'jp-JupyterExt-name', summary.monitoring_schedule_name), badge(summary.status),
    el('span', 'jp-JupyterExt-ruleStep', summary.monitoring_type));
  const last = summary.last_execution;
  const lastRun = last
    ? `last run ${last.monitoring_execution_status}, ${localDateTime(last.scheduled_time)}`
    : 'not run yet';
  item.append(title, el('div', 'jp-JupyterExt-ruleMessage', `${summary.schedule_expression} · ${lastRun}`));
  return item;
}

function execution(run: MonitoringExecutionSummary): HTMLLIElement {
  const item = el('li', 'jp-JupyterExt-execution');
  item.dataset.jobName = run.job_name;
  item.dataset.status = run.monitoring_execution_status;
  const title = el('div', 'jp-JupyterExt-executionTitle');
  title.append(
    badge(run.monitoring_execution_status),
    el('span', 'jp-JupyterExt-name', ` ${run.job_name}`),
    el('span', 'jp-JupyterExt-type', ` ${localDateTime(run.scheduled_time)}`)
  );
  item.append(title);
  if (run.failure_reason) {
    item.append(el('p', 'jp-JupyterExt-alert', run.failure_reason));
  }
  if (run.violations.length) {
    item.append(grid('jp-JupyterExt-violations', ['Feature', 'Check', 'Description'],
      run.violations.map(v => [v.feature_name, v.constraint_check_type, v.description])));
  }
  if (run.report_path) {
    item.append(reportLink(run.report_path));
  }
  return item;
}

/** A link opening the report: through Jupyter's file server when it lies under the server's root. */
function reportLink(path: string): HTMLAnchorElement {
  const link = el('a', 'jp-JupyterExt-reportLink', 'Open the report');
  const root = PageConfig.getOption('serverRoot');
  const relative = root && path.startsWith(`${root}/`) ? path.slice(root.length + 1) : null;
  link.href = relative ? URLExt.join(PageConfig.getBaseUrl(), 'files', URLExt.encodeParts(relative)) : `file://${path}`;
  link.target = '_blank';
  link.rel = 'noopener';
  link.title = path;
  return link;
}
