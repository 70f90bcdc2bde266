/**
 * The Models view (SageMaker's Model Registry): model package groups, and one group's
 * versions with their approval status, the training job each came from, and Approve /
 * Reject buttons.
 */
import { showErrorMessage } from '@jupyterlab/apputils';

import { decideModelPackage, listModelPackageGroups, listModelPackages } from './client';
import { badge, button, el, localDateTime } from './dom';
import { ModelPackageDescription, ModelPackageGroupDescription } from './models';
import { IPanelView } from './view';

/** Model package groups, and one group's versions. */
export class RegistryView implements IPanelView {
  readonly node = el('div', 'jp-JupyterExt-registry');

  /** `openJob` shows a training job in the Jobs view. */
  constructor(private readonly _openJob: (name: string) => void) {
    this._message = el('p', 'jp-JupyterExt-message');
    this._rows = el('ul', 'jp-JupyterExt-rows jp-JupyterExt-groupRows');
    const header = el('div', 'jp-JupyterExt-detailHeader');
    this._back = button('jp-JupyterExt-back', '‹ Model groups', () => void this.showGroups());
    this._title = el('span', 'jp-JupyterExt-detailName');
    header.append(this._back, this._title);
    this.node.append(header, this._message, this._rows);
    this._back.hidden = true;
  }

  /** The groups, or the open group's versions; never throws. */
  async refresh(): Promise<void> {
    try {
      await (this._group === null ? this._showGroups() : this._showVersions(this._group));
    } catch (error) {
      this._message.textContent = `Cannot list the model registry: ${(error as Error).message}`;
    }
  }

  /** Poll every POLL_MS: versions are registered and approved elsewhere too. */
  tick(due: boolean): void {
    if (due) {
      void this.refresh();
    }
  }

  /** Back to the list of groups. */
  async showGroups(): Promise<void> {
    this._group = null;
    await this.refresh();
  }

  /** The versions of group `name`. */
  async openGroup(name: string): Promise<void> {
    this._group = name;
    await this.refresh();
  }

  private async _showGroups(): Promise<void> {
    const { groups } = await listModelPackageGroups();
    if (this._group !== null) {
      return;
    }
    this._back.hidden = true;
    this._title.textContent = 'Model groups';
    this._message.textContent = groups.length ? '' : 'No registered models: model.register(model_package_group_name=...) adds one.';
    this._rows.replaceChildren(...groups.map(group => this._groupRow(group)));
  }

  private _groupRow(group: ModelPackageGroupDescription): HTMLLIElement {
    const row = el('li', 'jp-JupyterExt-row jp-JupyterExt-groupRow');
    row.dataset.group = group.name;
    row.tabIndex = 0;
    row.title = group.description ?? group.arn;
    const versions = `${group.package_count} version${group.package_count === 1 ? '' : 's'}`;
    row.append(
      el('span', 'jp-JupyterExt-name', group.name),
      el('span', 'jp-JupyterExt-type', group.latest_version === null ? versions : `${versions} · latest v${group.latest_version}`),
      el('span', 'jp-JupyterExt-elapsed', localDateTime(group.created_at))
    );
    const open = () => void this.openGroup(group.name);
    row.addEventListener('click', open);
    row.addEventListener('keydown', event => event.key === 'Enter' && open());
    return row;
  }

  private async _showVersions(group: string): Promise<void> {
    const { model_packages } = await listModelPackages(group);
    if (this._group !== group) {
      return;
    }
    this._back.hidden = false;
    this._title.textContent = group;
    this._message.textContent = model_packages.length ? '' : 'No versions in this group yet.';
    this._rows.replaceChildren(...model_packages.map(version => this._versionRow(version)));
  }

  private _versionRow(version: ModelPackageDescription): HTMLLIElement {
    const row = el('li', 'jp-JupyterExt-row jp-JupyterExt-versionRow');
    row.dataset.version = String(version.version);
    row.dataset.approval = version.approval_status;
    row.title = version.arn;
    const title = el('div', 'jp-JupyterExt-versionTitle');
    title.append(el('span', 'jp-JupyterExt-name', `Version ${version.version}`), badge(version.approval_status),
      el('span', 'jp-JupyterExt-elapsed', localDateTime(version.created_at)));
    row.append(title);
    if (version.source_job) {
      const job = el('a', 'jp-JupyterExt-sourceJob', `from ${version.source_job}`);
      job.href = '#';
      job.addEventListener('click', event => {
        event.preventDefault();
        this._openJob(version.source_job ?? '');
      });
      row.append(job);
    }
    if (version.approval_description) {
      row.append(el('div', 'jp-JupyterExt-ruleMessage', version.approval_description));
    }
    const actions = el('div', 'jp-JupyterExt-versionActions');
    for (const [label, decision, status] of [['Approve', 'approve', 'Approved'], ['Reject', 'reject', 'Rejected']]) {
      if (version.approval_status !== status) {
        actions.append(button(`jp-JupyterExt-${decision}`, label, () => void this._decide(version, decision)));
      }
    }
    row.append(actions);
    return row;
  }

  private async _decide(version: ModelPackageDescription, decision: string): Promise<void> {
    try {
      await decideModelPackage(version.group, version.version, decision);
    } catch (error) {
      await showErrorMessage(`Cannot ${decision} version ${version.version}`, error as Error);
    }
    await this.refresh();
  }

  private _group: string | null = null;
  private readonly _back: HTMLButtonElement;
  private readonly _title: HTMLSpanElement;
  private readonly _message: HTMLParagraphElement;
  private readonly _rows: HTMLUListElement;
}
