/**
 * A job's page in JupyterLab's main area: what the sidebar's job detail shows (status, its
 * history, hyperparameters, metrics, log, artifacts, debugger rules, Stop), at full size: the
 * metric charts as wide as the page and taller. Polled while shown and the job can change.
 */
import { MainAreaWidget } from '@jupyterlab/apputils';

import { JobDetail } from './detail';
import { jobsIcon } from './icon';
import { mainAreaPage, PollingPage } from './page';

/** The charts' height on the page, in px (the sidebar's are 140). */
const CHART_HEIGHT = 260;

/** The page's content: a JobDetail; `onOpenJob(name)` shows another job (a child) in the sidebar. */
export class JobPageView extends PollingPage<boolean> {
  constructor(readonly jobName: string, onOpenJob: (name: string) => void, onOpenPage: (jobType: string, name: string) => void) {
    super(jobName, 'jp-JupyterExt-jobPage', false);
    this.node.dataset.jobName = jobName;
    this._detail = new JobDetail(() => undefined, onOpenJob, onOpenPage, true, CHART_HEIGHT);
    this.node.append(this._detail.node);
  }

  /** Fetch the job (new log lines and points after the first time); answers whether it can still change. */
  protected async load(): Promise<boolean> {
    if (!this._opened) {
      this._opened = true;
      await this._detail.open(this.jobName);
    } else {
      await this._detail.refresh();
    }
    return this._detail.active;
  }

  protected draw(): void {
    // JobDetail draws as it loads.
  }

  protected isLive(active: boolean): boolean {
    return active;
  }

  dispose(): void {
    this._detail.dispose();
    super.dispose();
  }

  private _opened = false;
  private readonly _detail: JobDetail;
}

/** A main-area page for job `name`. */
export function jobPage(name: string, onOpenJob: (job: string) => void,
  onOpenPage: (jobType: string, name: string) => void): MainAreaWidget<JobPageView> {
  return mainAreaPage(new JobPageView(name, onOpenJob, onOpenPage), `jupyter-ext-job-${name}`, `Job: ${name}`, `Job ${name}`, jobsIcon);
}
