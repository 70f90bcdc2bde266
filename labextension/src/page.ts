/**
 * What every main-area page shares (a tuning job's, an AutoML job's, runs compared): a header
 * with the name, a badge and a refresh button, a message line for errors, and the poll
 * lifecycle: fetched when shown (or attached already visible, as the first tab of an empty
 * main area is), again every POLL_MS while shown and `isLive` says it can still change, never
 * while hidden.
 */
import { MainAreaWidget } from '@jupyterlab/apputils';
import { LabIcon } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';

import { button, el } from './dom';

/** How often a shown page asks for news, in ms. */
export const POLL_MS = 3000;

/**
 * A page's content: subclasses fetch in `load`, draw in `draw`, and say in `isLive` whether
 * to poll. `withHeader` false: the content draws its own header (the badge is then unused).
 */
export abstract class PollingPage<T> extends Widget {
  constructor(readonly pageName: string, className: string, withHeader = true) {
    super();
    this.addClass('jp-JupyterExt-panel'); // the sidebar's look
    this.addClass('jp-JupyterExt-page');
    this.addClass(className);
    const header = el('div', 'jp-JupyterExt-detailHeader');
    this.badge = el('span', 'jp-JupyterExt-badge');
    const refresh = button('jp-JupyterExt-pageRefresh', '⟳', () => void this.refresh());
    refresh.title = 'Refresh';
    header.append(el('span', 'jp-JupyterExt-detailName', pageName), this.badge, refresh);
    this.message = el('p', 'jp-JupyterExt-message');
    header.hidden = !withHeader;
    this.node.append(header, this.message);
  }

  /** The last answer, if any. */
  get data(): T | null {
    return this._data;
  }

  /** Fetch and draw; never throws (a failure shows in the message line). */
  async refresh(): Promise<void> {
    try {
      const data = await this.load();
      this._data = data;
      this.message.textContent = '';
      await this.draw(data);
    } catch (error) {
      this.message.textContent = `Cannot load ${this.pageName}: ${(error as Error).message}`;
    }
  }

  /** Show a job status in the header's badge. */
  protected showStatus(status: string): void {
    this.badge.textContent = status;
    this.badge.className = `jp-JupyterExt-badge jp-JupyterExt-status-${status}`;
    this.node.dataset.status = status;
  }

  /** Fetch what the page shows. */
  protected abstract load(): Promise<T>;
  /** Draw `data` (the page's elements are kept and updated, not rebuilt). */
  protected abstract draw(data: T): void | Promise<void>;
  /** Whether `data` can still change (the page polls only then). */
  protected abstract isLive(data: T): boolean;

  /** Attached while visible (the first tab of an empty main area): no after-show comes, so start here. */
  protected onAfterAttach(): void {
    if (this.isVisible) {
      this._startPolling();
    }
  }

  protected onAfterShow(): void {
    this._startPolling();
  }

  protected onBeforeHide(): void {
    this._stopPolling();
  }

  protected onBeforeDetach(): void {
    this._stopPolling();
  }

  private _startPolling(): void {
    void this.refresh();
    if (this._timer === null) {
      this._timer = window.setInterval(() => {
        if (!document.hidden && this.isVisible && this._data !== null && this.isLive(this._data)) {
          void this.refresh();
        }
      }, POLL_MS);
    }
  }

  private _stopPolling(): void {
    if (this._timer !== null) {
      window.clearInterval(this._timer);
      this._timer = null;
    }
  }

  dispose(): void {
    this._stopPolling();
    super.dispose();
  }

  protected readonly badge: HTMLSpanElement;
  protected readonly message: HTMLParagraphElement;
  private _data: T | null = null;
  private _timer: number | null = null;
}

/** A closable main-area page around `content`, with tab label `label`. */
export function mainAreaPage<W extends Widget>(content: W, id: string, label: string, caption: string,
  icon: LabIcon): MainAreaWidget<W> {
  const page = new MainAreaWidget({ content });
  page.id = id;
  page.title.label = label;
  page.title.caption = caption;
  page.title.icon = icon;
  page.title.closable = true;
  return page;
}
