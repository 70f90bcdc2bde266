/**
 * The Pipelines view: stored pipelines with their newest execution; one pipeline's
 * executions, and the open execution's steps drawn as a graph coloured by status (click a
 * step for its job's detail), with Stop and Retry.
 */
import { showErrorMessage } from '@jupyterlab/apputils';

import { actOnPipelineExecution, describePipelineExecution, listPipelineExecutions, listPipelines } from './client';
import { drawGraph } from './dag';
import { badge, button, el, localDateTime, section } from './dom';
import { PipelineExecutionGraph, PipelineExecutionSummary, PipelineSummary } from './models';
import { IPanelView } from './view';

const RUNNING = ['Executing', 'Stopping'];

/** Pipelines, and one pipeline's executions with the open one's graph. */
export class PipelinesView implements IPanelView {
  readonly node = el('div', 'jp-JupyterExt-pipelines');

  /** `openJob` shows a step's job in the Jobs view. */
  constructor(private readonly _openJob: (name: string) => void) {
    const header = el('div', 'jp-JupyterExt-detailHeader');
    this._back = button('jp-JupyterExt-back', '‹ Pipelines', () => void this.showPipelines());
    this._title = el('span', 'jp-JupyterExt-detailName');
    this._stop = button('jp-mod-warn jp-JupyterExt-stopExecution', 'Stop', () => void this._act('stop'));
    this._retry = button('jp-JupyterExt-retryExecution', 'Retry', () => void this._act('retry'));
    header.append(this._back, this._title, this._stop, this._retry);
    this._message = el('p', 'jp-JupyterExt-message');
    this._rows = el('ul', 'jp-JupyterExt-rows jp-JupyterExt-pipelineRows');
    const [graph, graphBody] = section('Steps', 'jp-JupyterExt-pipelineGraph');
    this._graphSection = graph;
    this._graph = graphBody;
    const [runs, runsBody] = section('Executions', 'jp-JupyterExt-pipelineExecutions');
    this._runsSection = runs;
    this._runs = el('ul', 'jp-JupyterExt-rows jp-JupyterExt-executionRows');
    runsBody.append(this._runs);
    this.node.append(header, this._message, this._rows, graph, runs);
    this._show(false);
  }

  /** The list, or the open pipeline; never throws. */
  async refresh(): Promise<void> {
    try {
      await (this._pipeline === null ? this._refreshList() : this._refreshPipeline(this._pipeline));
    } catch (error) {
      this._message.textContent = `Cannot list pipelines: ${(error as Error).message}`;
    }
  }

  /** Poll every POLL_MS while an execution runs (or the list is shown). */
  tick(due: boolean): void {
    if (due && (this._pipeline === null || RUNNING.includes(this._status))) {
      void this.refresh();
    }
  }

  /** Back to the list of pipelines. */
  async showPipelines(): Promise<void> {
    this._pipeline = this._execution = null;
    this._show(false);
    await this.refresh();
  }

  /** Pipeline `name`: its executions, and `execution` (default: the newest) as a graph. */
  async openPipeline(name: string, execution: string | null = null): Promise<void> {
    this._pipeline = name;
    this._execution = execution;
    this._show(true);
    this._title.textContent = name;
    this._graph.replaceChildren();
    await this.refresh();
  }

  private _show(detail: boolean): void {
    this._back.hidden = this._graphSection.hidden = this._runsSection.hidden = !detail;
    this._rows.hidden = detail;
    this._stop.hidden = this._retry.hidden = true;
    if (!detail) {
      this._title.textContent = 'Pipelines';
    }
  }

  private async _refreshList(): Promise<void> {
    const { pipelines } = await listPipelines();
    if (this._pipeline !== null) {
      return;
    }
    this._message.textContent = pipelines.length ? '' : 'No pipelines: Pipeline(...).upsert() stores one.';
    this._rows.replaceChildren(...pipelines.map(pipeline => this._pipelineRow(pipeline)));
  }

  private _pipelineRow(pipeline: PipelineSummary): HTMLLIElement {
    const row = el('li', 'jp-JupyterExt-row jp-JupyterExt-pipelineRow');
    row.dataset.pipeline = pipeline.name;
    row.tabIndex = 0;
    const latest = pipeline.latest_execution;
    const status = latest?.status ?? 'NotStarted';
    row.dataset.status = status;
    row.title = pipeline.description ?? pipeline.arn;
    const icon = el('span', `jp-JupyterExt-statusIcon jp-JupyterExt-step-${status}`);
    row.append(icon, el('span', 'jp-JupyterExt-name', pipeline.name),
      el('span', 'jp-JupyterExt-type', `${pipeline.step_count} steps · ${latest ? status : 'not run yet'}`),
      el('span', 'jp-JupyterExt-elapsed', localDateTime(latest?.created_at ?? pipeline.last_modified)));
    const open = () => void this.openPipeline(pipeline.name);
    row.addEventListener('click', open);
    row.addEventListener('keydown', event => event.key === 'Enter' && open());
    return row;
  }

  private async _refreshPipeline(name: string): Promise<void> {
    const { executions } = await listPipelineExecutions(name);
    if (this._pipeline !== name) {
      return;
    }
    this._message.textContent = executions.length ? '' : 'Not run yet: pipeline.start() or %pipeline start.';
    const open = this._execution ?? executions[0]?.execution_id ?? null;
    this._runs.replaceChildren(...executions.map(execution => this._executionRow(execution, execution.execution_id === open)));
    if (open !== null) {
      this._render(await describePipelineExecution(open));
    }
  }

  private _executionRow(execution: PipelineExecutionSummary, shown: boolean): HTMLLIElement {
    const row = el('li', `jp-JupyterExt-row jp-JupyterExt-executionRow${shown ? ' jp-mod-selected' : ''}`);
    row.dataset.execution = execution.execution_id;
    row.dataset.status = execution.status;
    row.title = execution.failure_reason ?? execution.arn;
    row.append(el('span', `jp-JupyterExt-statusIcon jp-JupyterExt-step-${execution.status}`),
      el('span', 'jp-JupyterExt-name', execution.display_name),
      el('span', 'jp-JupyterExt-type', execution.status),
      el('span', 'jp-JupyterExt-elapsed', localDateTime(execution.created_at)));
    row.addEventListener('click', () => void this.openPipeline(execution.pipeline_name, execution.execution_id));
    return row;
  }

  private _render(graph: PipelineExecutionGraph): void {
    const { execution } = graph;
    if (this._pipeline !== execution.pipeline_name) {
      return;
    }
    this._execution = execution.execution_id;
    this._status = execution.status;
    this._graphSection.dataset.execution = execution.execution_id;
    this._graphSection.dataset.status = execution.status;
    this._stop.hidden = !RUNNING.includes(execution.status);
    this._retry.hidden = !['Failed', 'Stopped'].includes(execution.status);
    const parts: Element[] = [el('div', 'jp-JupyterExt-executionTitle')];
    parts[0].append(badge(execution.status), el('span', 'jp-JupyterExt-name', ` ${execution.display_name}`));
    if (execution.failure_reason) {
      parts.push(el('p', 'jp-JupyterExt-alert', execution.failure_reason));
    }
    parts.push(drawGraph(graph.steps, step => step.job_name && this._openJob(step.job_name)));
    this._graph.replaceChildren(...parts);
  }

  private async _act(action: 'stop' | 'retry'): Promise<void> {
    if (this._execution === null) {
      return;
    }
    try {
      this._render(await actOnPipelineExecution(this._execution, action));
    } catch (error) {
      await showErrorMessage(`Cannot ${action} the execution`, error as Error);
    }
    await this.refresh();
  }

  private _pipeline: string | null = null;
  private _execution: string | null = null;
  private _status = '';
  private readonly _back: HTMLButtonElement;
  private readonly _title: HTMLSpanElement;
  private readonly _stop: HTMLButtonElement;
  private readonly _retry: HTMLButtonElement;
  private readonly _message: HTMLParagraphElement;
  private readonly _rows: HTMLUListElement;
  private readonly _graphSection: HTMLElement;
  private readonly _graph: HTMLElement;
  private readonly _runsSection: HTMLElement;
  private readonly _runs: HTMLUListElement;
}
