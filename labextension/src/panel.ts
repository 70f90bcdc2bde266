import { Widget } from '@lumino/widgets';

import { JobDetail } from './detail';
import { ExperimentsView } from './experiments';
import { button, el } from './dom';
import { jobsIcon } from './icon';
import { JobList } from './joblist';

/** The DOM id of the sidebar panel; browser tests look it up by this. */
export const PANEL_ID = 'jupyter-ext-sidebar';

/** How often the shown view asks the server for news, in ms. */
export const POLL_MS = 3000;

/**
 * The jobs panel in the left sidebar: the job list, or one job in detail.
 *
 * It polls only while it is shown and the browser tab is visible: every POLL_MS
 * the list (answered with an empty 304 when nothing changed), or the open job
 * while that job can still change. Elapsed times tick locally.
 */
export class JobsPanel extends Widget {
  constructor() {
    super();
    this.id = PANEL_ID;
    this.title.icon = jobsIcon;
    this.title.caption = 'jupyter_ext jobs';
    this.addClass('jp-JupyterExt-panel');
    const header = el('div', 'jp-JupyterExt-header');
    this._tabs = {
      jobs: button('jp-JupyterExt-tab', 'Jobs', () => this.showView('jobs')),
      experiments: button('jp-JupyterExt-tab', 'Experiments', () => this.showView('experiments'))
    };
    const heading = el('h2', 'jp-JupyterExt-heading');
    heading.append(this._tabs.jobs, this._tabs.experiments);
    const refresh = button('jp-JupyterExt-refresh', '⟳', () => void this.refresh());
    refresh.title = 'Refresh';
    header.append(heading, refresh);
    this._list = new JobList(name => void this.openJob(name));
    this._detail = new JobDetail(
      () => this.showList(),
      name => void this.openJob(name)
    );
    this._experiments = new ExperimentsView(name => {
      this.showView('jobs');
      void this.openJob(name);
    });
    this.node.append(header, this._list.node, this._detail.node, this._experiments.node);
    this._detail.node.hidden = true;
    this._experiments.node.hidden = true;
    this._tabs.jobs.classList.add('jp-mod-active');
  }

  /** Switch between the Jobs and Experiments views. */
  showView(view: 'jobs' | 'experiments'): void {
    this._view = view;
    this._tabs.jobs.classList.toggle('jp-mod-active', view === 'jobs');
    this._tabs.experiments.classList.toggle('jp-mod-active', view === 'experiments');
    this._experiments.node.hidden = view !== 'experiments';
    if (view === 'experiments') {
      this._list.node.hidden = this._detail.node.hidden = true;
      void this._experiments.refresh();
    } else {
      this.showList();
    }
  }

  /** Fetch what is shown now from the server. */
  async refresh(): Promise<void> {
    if (this._view === 'experiments') {
      await this._experiments.refresh();
      return;
    }
    await (this._detail.node.hidden ? this._list.refresh() : this._detail.refresh());
  }

  /** Show job `name` in detail. */
  async openJob(name: string): Promise<void> {
    this._list.node.hidden = true;
    this._detail.node.hidden = false;
    await this._detail.open(name);
  }

  /** Back to the job list. */
  showList(): void {
    this._detail.node.hidden = true;
    this._list.node.hidden = false;
    void this._list.refresh();
  }

  protected onAfterShow(): void {
    void this.refresh();
    if (this._timer === null) {
      this._timer = window.setInterval(() => this._tick(), 1000);
    }
  }

  protected onBeforeHide(): void {
    if (this._timer !== null) {
      window.clearInterval(this._timer);
      this._timer = null;
    }
  }

  dispose(): void {
    this.onBeforeHide();
    super.dispose();
  }

  private _tick(): void {
    if (document.hidden || !this.isVisible || this._view === 'experiments') {
      return;
    }
    this._ticks += 1;
    const due = this._ticks % (POLL_MS / 1000) === 0;
    if (!this._detail.node.hidden) {
      if (due && this._detail.active) {
        void this._detail.refresh();
      }
    } else if (due) {
      void this._list.refresh();
    } else if (this._list.hasActiveJobs) {
      this._list.render();
    }
  }

  private _ticks = 0;
  private _view: 'jobs' | 'experiments' = 'jobs';
  private readonly _tabs: { jobs: HTMLButtonElement; experiments: HTMLButtonElement };
  private readonly _experiments: ExperimentsView;
  private _timer: number | null = null;
  private readonly _list: JobList;
  private readonly _detail: JobDetail;
}
