import { LabIcon, linkIcon, runningIcon, settingsIcon, tableRowsIcon, tagIcon, treeViewIcon } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';

import { EndpointsView } from './endpoints';
import { ExperimentsView } from './experiments';
import { button, el } from './dom';
import { jobsIcon } from './icon';
import { JobsView } from './jobs';
import { LifecycleView } from './lifecycle';
import { PipelinesView } from './pipelines';
import { RegistryView } from './registry';
import { IPanelView } from './view';

/** The DOM id of the sidebar panel; browser tests look it up by this. */
export const PANEL_ID = 'jupyter-ext-sidebar';

/** How often the shown view asks the server for news, in ms. */
export const POLL_MS = 3000;

/** The class on the panel's tab in the sidebar's icon bar while the latest lifecycle run failed. */
const FAILED_CLASS = 'jp-JupyterExt-lifecycleFailed';

/** The panel's views, in tab order. */
type ViewId = 'jobs' | 'experiments' | 'endpoints' | 'pipelines' | 'models' | 'lifecycle';

interface ITab {
  id: ViewId;
  label: string;
  view: IPanelView;
}

/** Each tab's icon (the shown tab also has its label). */
const TAB_ICONS: Record<ViewId, LabIcon> = {
  jobs: runningIcon,
  experiments: tableRowsIcon,
  endpoints: linkIcon,
  pipelines: treeViewIcon,
  models: tagIcon,
  lifecycle: settingsIcon
};

/**
 * The jupyter_ext panel in the left sidebar: a tab per view (jobs, experiments,
 * endpoints, pipelines, registered models, lifecycle scripts).
 *
 * It polls only while it is shown and the browser tab is visible: every POLL_MS the
 * shown view fetches what can still change. The one exception is the lifecycle
 * failure badge (on the Lifecycle tab and on the panel's icon): it is checked when the
 * page loads and, while a lifecycle run is in progress, every POLL_MS.
 */
export class JobsPanel extends Widget {
  /**
   * `onOpenPage(jobType, name)` opens a (Tuning or AutoML) job's page in the main area;
   * `onCompare(experiment)` the runs-compare page (null: the runs outside any experiment).
   */
  constructor(onOpenPage: (jobType: string, name: string) => void = () => undefined,
    onCompare: (experiment: string | null) => void = () => undefined) {
    super();
    this.id = PANEL_ID;
    this.title.icon = jobsIcon;
    this.title.caption = 'jupyter_ext jobs';
    this.addClass('jp-JupyterExt-panel');
    this._jobs = new JobsView(onOpenPage);
    this._lifecycle = new LifecycleView(failed => this._showLifecycle(failed));
    this._experiments = new ExperimentsView(name => {
      this.showView('jobs');
      void this.openJob(name);
    }, onCompare);
    this._tabs = [
      { id: 'jobs', label: 'Jobs', view: this._jobs },
      {
        id: 'experiments',
        label: 'Experiments',
        view: this._experiments
      },
      { id: 'endpoints', label: 'Endpoints', view: new EndpointsView() },
      { id: 'pipelines', label: 'Pipelines', view: new PipelinesView(name => void this.openJob(name)) },
      { id: 'models', label: 'Models', view: new RegistryView(name => void this.openJob(name)) },
      { id: 'lifecycle', label: 'Lifecycle', view: this._lifecycle }
    ];
    const header = el('div', 'jp-JupyterExt-header');
    const heading = el('h2', 'jp-JupyterExt-heading');
    for (const tab of this._tabs) {
      const tabButton = button('jp-JupyterExt-tab', '', () => this.showView(tab.id));
      tabButton.append(
        TAB_ICONS[tab.id].element({ tag: 'span', className: 'jp-JupyterExt-tabIcon' }),
        el('span', 'jp-JupyterExt-tabLabel', tab.label)
      );
      tabButton.title = tab.label;
      tabButton.setAttribute('aria-label', tab.label);
      tabButton.dataset.view = tab.id;
      this._buttons.set(tab.id, tabButton);
      heading.append(tabButton);
    }
    const refresh = button('jp-JupyterExt-refresh', '⟳', () => void this.refresh());
    refresh.title = 'Refresh';
    header.append(heading, refresh);
    this.node.append(header, ...this._tabs.map(tab => tab.view.node));
    this._select('jobs');
    void this._lifecycle.refresh();
    this._badgeTimer = window.setInterval(() => this._checkLifecycle(), POLL_MS);
  }

  /** Show one of the views. */
  showView(view: ViewId): void {
    if (view === 'jobs') {
      this.showList();
      return;
    }
    this._select(view);
    void this.refresh();
  }

  /** Fetch what is shown now from the server. */
  async refresh(): Promise<void> {
    await this._current.view.refresh();
  }

  /** Show run `name` in detail (in the Experiments view). */
  async openRun(name: string): Promise<void> {
    this._select('experiments');
    await this._experiments.openRun(name);
  }

  /** Show job `name` in detail (in the Jobs view). */
  async openJob(name: string): Promise<void> {
    this._select('jobs');
    await this._jobs.openJob(name);
  }

  /** Back to the job list. */
  showList(): void {
    this._select('jobs');
    this._jobs.showList();
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
    window.clearInterval(this._badgeTimer);
    super.dispose();
  }

  private get _current(): ITab {
    return this._tabs.find(tab => tab.id === this._view) ?? this._tabs[0];
  }

  private _select(view: ViewId): void {
    this._view = view;
    for (const tab of this._tabs) {
      this._buttons.get(tab.id)?.classList.toggle('jp-mod-active', tab.id === view);
      tab.view.node.hidden = tab.id !== view;
    }
  }

  private _tick(): void {
    if (document.hidden || !this.isVisible) {
      return;
    }
    this._ticks += 1;
    this._current.view.tick?.(this._ticks % (POLL_MS / 1000) === 0);
  }

  /** While a lifecycle run is in progress (and the Lifecycle view does not poll it), ask again. */
  private _checkLifecycle(): void {
    const shown = this.isVisible && this._view === 'lifecycle';
    if (!document.hidden && !shown && this._lifecycle.running) {
      void this._lifecycle.refresh();
    }
  }

  /** The failure badge on the Lifecycle tab and on the panel's icon in the sidebar. */
  private _showLifecycle(failed: boolean): void {
    this._buttons.get('lifecycle')?.classList.toggle('jp-mod-failed', failed);
    this.title.className = failed ? FAILED_CLASS : '';
    this.title.caption = failed ? 'jupyter_ext jobs: the latest lifecycle run failed' : 'jupyter_ext jobs';
  }

  private _ticks = 0;
  private _view: ViewId = 'jobs';
  private readonly _tabs: ITab[];
  private readonly _buttons = new Map<ViewId, HTMLButtonElement>();
  private readonly _jobs: JobsView;
  private readonly _lifecycle: LifecycleView;
  private readonly _experiments: ExperimentsView;
  private _timer: number | null = null;
  private readonly _badgeTimer: number;
}
