/**
 * The Jobs view: the job list, or one job in detail.
 */
import { JobDetail } from './detail';
import { el } from './dom';
import { JobList } from './joblist';
import { IPanelView } from './view';

/** The job list and the job detail under one tab. */
export class JobsView implements IPanelView {
  readonly node = el('div', 'jp-JupyterExt-jobsView');

  constructor(onOpenPage: (jobType: string, name: string) => void = () => undefined) {
    this._list = new JobList(name => void this.openJob(name));
    this._detail = new JobDetail(
      () => this.showList(),
      name => void this.openJob(name),
      onOpenPage
    );
    this._detail.node.hidden = true;
    this.node.append(this._list.node, this._detail.node);
  }

  /** The list, or the open job. */
  async refresh(): Promise<void> {
    await (this._detail.node.hidden ? this._list.refresh() : this._detail.refresh());
  }

  /** The list every POLL_MS (elapsed times tick in between); an open job while it runs. */
  tick(due: boolean): void {
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

  private readonly _list: JobList;
  private readonly _detail: JobDetail;
}
