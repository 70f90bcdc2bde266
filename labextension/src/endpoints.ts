/**
 * The Endpoints view: endpoints with their status; one endpoint in detail with its
 * variants (weight, traffic share, invocations, 4xx/5xx, latencies), a box to send a
 * test request, its Model Monitor runs, and Delete with confirmation.
 */
import { Dialog, showDialog, showErrorMessage } from '@jupyterlab/apputils';

import { deleteEndpoint, describeEndpoint, getEndpointMonitoring, invokeEndpoint, listEndpoints } from './client';
import { badge, button, el, localDateTime, section, table } from './dom';
import { EndpointDescription, VariantDescription } from './models';
import { monitoringContent } from './monitoring';
import { TestRequestBox } from './testrequest';
import { IPanelView } from './view';

function ms(value: number | null): string {
  return value === null ? '–' : `${value.toFixed(1)}ms`;
}

function variantCard(variant: VariantDescription): HTMLElement {
  const card = el('div', 'jp-JupyterExt-variant');
  card.dataset.variant = variant.variant_name;
  card.dataset.invocations = String(variant.invocations);
  const share = `${Math.round(variant.traffic_share * 100)}%`;
  const title = el('div', 'jp-JupyterExt-variantTitle');
  const model = el('span', 'jp-JupyterExt-type', variant.model_name);
  model.title = variant.model_data.join('\n');
  title.append(el('span', 'jp-JupyterExt-name', variant.variant_name), model, el('span', 'jp-JupyterExt-share', share));
  const bar = el('div', 'jp-JupyterExt-trafficBar');
  const fill = el('div', 'jp-JupyterExt-trafficFill');
  fill.style.width = share;
  bar.append(fill);
  const facts = table([
    ['Weight', `${variant.current_weight} (${variant.instance_count} instance${variant.instance_count === 1 ? '' : 's'})`],
    ['Invocations', String(variant.invocations)],
    ['4xx / 5xx', `${variant.errors_4xx} / ${variant.errors_5xx}`],
    ['Latency', `p50 ${ms(variant.latency_p50_ms)} · p99 ${ms(variant.latency_p99_ms)} · avg ${ms(variant.latency_avg_ms)}`]
  ]);
  facts.classList.add('jp-JupyterExt-variantFacts');
  card.append(title, bar, facts);
  return card;
}

/** Endpoints, and one endpoint in detail. */
export class EndpointsView implements IPanelView {
  readonly node = el('div', 'jp-JupyterExt-endpoints');

  constructor() {
    this._message = el('p', 'jp-JupyterExt-message');
    this._rows = el('ul', 'jp-JupyterExt-rows jp-JupyterExt-endpointRows');
    this._list = el('div', 'jp-JupyterExt-endpointList');
    this._list.append(this._message, this._rows);
    this._detail = el('div', 'jp-JupyterExt-endpointDetail');
    const header = el('div', 'jp-JupyterExt-detailHeader');
    this._title = el('span', 'jp-JupyterExt-detailName');
    this._badge = badge('');
    const back = button('jp-JupyterExt-back', '‹ Endpoints', () => void this.showList());
    const remove = button('jp-mod-warn jp-JupyterExt-delete', 'Delete', () => void this._confirmDelete());
    header.append(back, this._title, this._badge, remove);
    this._summary = el('div', 'jp-JupyterExt-endpointSummary');
    const [variants, variantsBody] = section('Variants', 'jp-JupyterExt-variants');
    this._variants = variantsBody;
    this._request = new TestRequestBox((request) => invokeEndpoint(this._name ?? '', request), () => void this.refresh());
    const [test, testBody] = section('Test request', 'jp-JupyterExt-testRequest');
    testBody.append(this._request.node);
    const [monitoring, monitoringBody] = section('Monitoring', 'jp-JupyterExt-monitoring');
    this._monitoring = monitoringBody;
    this._detail.append(header, this._summary, variants, test, monitoring);
    this._detail.hidden = true;
    this.node.append(this._list, this._detail);
  }

  /** The list, or the open endpoint; never throws. */
  async refresh(): Promise<void> {
    await (this._name === null ? this._refreshList() : this._refreshDetail());
  }

  /** Poll every POLL_MS (traffic counts change with every request). */
  tick(due: boolean): void {
    if (due) {
      void this.refresh();
    }
  }

  /** The list of endpoints. */
  async showList(): Promise<void> {
    this._name = null;
    this._detail.hidden = true;
    this._list.hidden = false;
    await this._refreshList();
  }

  /** Endpoint `name` in detail. */
  async openEndpoint(name: string): Promise<void> {
    this._name = name;
    this._list.hidden = true;
    this._detail.hidden = false;
    this._detail.dataset.endpoint = name;
    this._title.textContent = name;
    this._summary.textContent = this._variants.textContent = this._monitoring.textContent = '';
    this._request.reset();
    await this._refreshDetail();
  }

  private async _refreshList(): Promise<void> {
    try {
      const { endpoints } = await listEndpoints();
      this._rows.replaceChildren(...endpoints.map(endpoint => this._row(endpoint)));
      this._message.textContent = endpoints.length ? '' : 'No endpoints: deploy a model with model.deploy() or %deploy.';
    } catch (error) {
      this._message.textContent = `Cannot list endpoints: ${(error as Error).message}`;
    }
  }

  private _row(endpoint: EndpointDescription): HTMLLIElement {
    const row = el('li', 'jp-JupyterExt-row jp-JupyterExt-endpointRow');
    row.dataset.endpoint = endpoint.name;
    row.dataset.status = endpoint.status;
    row.tabIndex = 0;
    row.title = endpoint.failure_reason ?? `${endpoint.status} at ${endpoint.url ?? '(no address)'}`;
    const icon = el('span', `jp-JupyterExt-statusIcon jp-JupyterExt-status-${endpoint.status}`);
    icon.setAttribute('aria-label', endpoint.status);
    const variants = endpoint.variants.map(v => v.variant_name).join(', ');
    const invocations = endpoint.variants.reduce((sum, v) => sum + v.invocations, 0);
    row.append(
      icon,
      el('span', 'jp-JupyterExt-name', endpoint.name),
      el('span', 'jp-JupyterExt-type', `${endpoint.status} · ${variants}`),
      el('span', 'jp-JupyterExt-elapsed', endpoint.port === null ? '' : `:${endpoint.port}`),
      el('span', 'jp-JupyterExt-metric', `${invocations} req`)
    );
    const open = () => void this.openEndpoint(endpoint.name);
    row.addEventListener('click', open);
    row.addEventListener('keydown', event => event.key === 'Enter' && open());
    return row;
  }

  private async _refreshDetail(): Promise<void> {
    const name = this._name;
    if (name === null) {
      return;
    }
    try {
      const endpoint = await describeEndpoint(name);
      if (name !== this._name) {
        return;
      }
      this._render(endpoint);
    } catch (error) {
      this._summary.textContent = `Cannot load ${name}: ${(error as Error).message}`;
      return;
    }
    try {
      const monitoring = await getEndpointMonitoring(name);
      if (name === this._name) {
        this._monitoring.replaceChildren(...monitoringContent(monitoring));
      }
    } catch (error) {
      this._monitoring.textContent = `Cannot load the monitoring runs: ${(error as Error).message}`;
    }
  }

  private _render(endpoint: EndpointDescription): void {
    this._badge.replaceWith((this._badge = badge(endpoint.status)));
    this._detail.dataset.status = endpoint.status;
    const rows: [string, string][] = [
      ['URL', endpoint.url ?? ''],
      ['Created', localDateTime(endpoint.created_at)],
      ['Last modified', localDateTime(endpoint.last_modified)],
      ['Data capture', endpoint.data_capture ? JSON.stringify(endpoint.data_capture) : 'off'],
      ['Log file', endpoint.log_path]
    ];
    if (endpoint.failure_reason) {
      rows.unshift(['Failure reason', endpoint.failure_reason]);
    }
    this._summary.replaceChildren(table(rows));
    this._variants.replaceChildren(...endpoint.variants.map(variantCard));
    this._request.setVariants(endpoint.variants.map(v => v.variant_name));
  }

  private async _confirmDelete(): Promise<void> {
    const name = this._name;
    if (name === null) {
      return;
    }
    const result = await showDialog({
      title: 'Delete endpoint?',
      body: `Delete ${name}? Its server stops and its port is freed; the model files stay.`,
      buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: 'Delete endpoint' })]
    });
    if (!result.button.accept) {
      return;
    }
    try {
      await deleteEndpoint(name);
    } catch (error) {
      await showErrorMessage('Cannot delete the endpoint', error as Error);
      return;
    }
    await this.showList();
  }

  private _name: string | null = null;
  private _badge: HTMLSpanElement;
  private readonly _message: HTMLParagraphElement;
  private readonly _rows: HTMLUListElement;
  private readonly _list: HTMLDivElement;
  private readonly _detail: HTMLDivElement;
  private readonly _title: HTMLSpanElement;
  private readonly _summary: HTMLDivElement;
  private readonly _variants: HTMLElement;
  private readonly _monitoring: HTMLElement;
  private readonly _request: TestRequestBox;
}
