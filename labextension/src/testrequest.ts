/**
 * The box that sends a test request to an endpoint: body, content type, optional target
 * variant; shows the answer's status, body, the variant that served it and the latency.
 */
import { button, el } from './dom';
import { InvokeEndpointRequest, InvokeEndpointResponse } from './models';

const CONTENT_TYPES = ['text/csv', 'application/json', 'application/jsonlines', 'text/plain'];

/** `send(request)` calls the endpoint; `onSent()` runs after each answer (to refresh counts). */
export class TestRequestBox {
  readonly node = el('div', 'jp-JupyterExt-requestBox');

  constructor(
    private readonly send: (request: InvokeEndpointRequest) => Promise<InvokeEndpointResponse>,
    private readonly onSent: () => void
  ) {
    this._body = el('textarea', 'jp-mod-styled jp-JupyterExt-requestBody');
    this._body.rows = 3;
    this._body.placeholder = 'Payload, e.g. 0.5,0.2,0.9';
    this._body.setAttribute('aria-label', 'Request body');
    this._contentType = el('input', 'jp-JupyterExt-contentType');
    this._contentType.value = CONTENT_TYPES[0];
    this._contentType.setAttribute('aria-label', 'Content type');
    const types = el('datalist', '');
    types.id = `jp-JupyterExt-contentTypes-${Math.random().toString(36).slice(2)}`;
    types.append(...CONTENT_TYPES.map(type => new Option(type, type)));
    this._contentType.setAttribute('list', types.id);
    this._variant = el('select', 'jp-JupyterExt-targetVariant');
    this._variant.setAttribute('aria-label', 'Target variant');
    this._send = button('jp-JupyterExt-send', 'Send', () => void this._sendNow());
    const controls = el('div', 'jp-JupyterExt-filters');
    controls.append(this._contentType, types, this._variant, this._send);
    this._answer = el('div', 'jp-JupyterExt-response');
    this.node.append(this._body, controls, this._answer);
    this.setVariants([]);
  }

  /** Empty the answer (a new endpoint is shown). */
  reset(): void {
    this._answer.replaceChildren();
    delete this._answer.dataset.statusCode;
  }

  /** The variants one can target; keeps the current choice when it still exists. */
  setVariants(names: string[]): void {
    const chosen = this._variant.value;
    this._variant.replaceChildren(new Option('By weight', ''), ...names.map(name => new Option(name, name)));
    this._variant.value = names.includes(chosen) ? chosen : '';
  }

  private async _sendNow(): Promise<void> {
    this._send.disabled = true;
    try {
      const answer = await this.send({
        body: this._body.value,
        content_type: this._contentType.value.trim() || CONTENT_TYPES[0],
        target_variant: this._variant.value || null
      });
      this._show(answer);
      this.onSent();
    } catch (error) {
      this._answer.dataset.statusCode = 'error';
      this._answer.replaceChildren(el('p', 'jp-JupyterExt-alert', `Cannot send: ${(error as Error).message}`));
    } finally {
      this._send.disabled = false;
    }
  }

  private _show(answer: InvokeEndpointResponse): void {
    this._answer.dataset.statusCode = String(answer.status_code);
    const facts = [`HTTP ${answer.status_code}`, answer.invoked_variant ? `variant ${answer.invoked_variant}` : '',
      `${answer.latency_ms.toFixed(1)} ms`, answer.content_type ?? ''].filter(Boolean).join(' · ');
    const ok = answer.status_code < 400;
    this._answer.replaceChildren(
      el('div', `jp-JupyterExt-responseFacts ${ok ? '' : 'jp-JupyterExt-alert'}`, facts),
      el('pre', 'jp-JupyterExt-logText jp-JupyterExt-responseBody', answer.body)
    );
  }

  private readonly _body: HTMLTextAreaElement;
  private readonly _contentType: HTMLInputElement;
  private readonly _variant: HTMLSelectElement;
  private readonly _send: HTMLButtonElement;
  private readonly _answer: HTMLDivElement;
}
