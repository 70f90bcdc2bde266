/**
 * A labeling job's panel in JupyterLab's main area: choose who you are (one of the job's
 * workers; remembered), then label your queue one item at a time, with the instructions on the
 * side and your progress above. Categories are buttons with keys 1–9; Enter submits (multi-label,
 * boxes, spans), S skips, Z or Ctrl+Z takes the last answer back. Every answer is in the store at
 * once, so a reload loses nothing.
 */
import { MainAreaWidget } from '@jupyterlab/apputils';

import { button, el } from './dom';
import { jobsIcon } from './icon';
import { BoxEditor } from './labelingboxes';
import {
  labelingProgress, nextLabelingTask, skipLabelingItem, submitLabelingAnswer, undoLabelingAnswer
} from './labelingclient';
import { ClassEditor, IEditorHost, IItemEditor } from './labelingeditors';
import { SpanEditor } from './labelingspans';
import { LabelingJobProgress, LabelingTask, NextLabelingTaskResponse } from './models';
import { mainAreaPage, PollingPage } from './page';

/** Where the chosen worker is remembered (per job, and the last one for any job). */
const WORKER_KEY = 'jupyter-ext:labeling-worker';
/** A labeling job's state, in words for the header's badge. */
const STATES: Record<string, string> = {
  human: 'labeling by people', training: 'training a labeler', 'machine-labeling': 'machine labeling',
  complete: 'complete', stopped: 'stopped'
};
const FINAL_STATES = ['complete', 'stopped'];
const SHORTCUTS = [['1–9', 'choose a category'], ['Enter', 'submit (several labels, boxes, spans)'], ['S', 'skip'],
  ['Z / Ctrl+Z', 'undo the last answer'], ['Delete', 'remove the selected box'], ['Esc', 'deselect']];

function editorFor(job: string, task: LabelingTask, host: IEditorHost): IItemEditor {
  if (task.task_type === 'BoundingBox') {
    return new BoxEditor(job, task, host);
  }
  if (task.task_type === 'NamedEntityRecognition') {
    return new SpanEditor(task, host);
  }
  return new ClassEditor(job, task, host);
}

/** What the panel shows: the job's progress and the chosen worker's next item. */
interface ILabelingState {
  progress: LabelingJobProgress;
  next: NextLabelingTaskResponse | null;
}

export class LabelingView extends PollingPage<ILabelingState> {
  constructor(readonly jobName: string) {
    super(jobName, 'jp-JupyterExt-labelingPage');
    this.node.dataset.labelingJob = jobName;
    this.node.tabIndex = 0;
    this._workers = el('select', 'jp-JupyterExt-workerChooser');
    this._workers.title = 'Who is labeling: each worker has their own queue';
    this._workers.addEventListener('change', () => this._chooseWorker(this._workers.value));
    const chooser = el('label', 'jp-JupyterExt-workerLabel', 'Worker ');
    chooser.append(this._workers);
    this._bar = el('div', 'jp-JupyterExt-progressFill');
    const track = el('div', 'jp-JupyterExt-progressTrack');
    track.append(this._bar);
    this._progressText = el('span', 'jp-JupyterExt-progressText');
    this._progress = el('div', 'jp-JupyterExt-labelingProgress');
    this._progress.append(track, this._progressText);
    const toolbar = el('div', 'jp-JupyterExt-labelingToolbar');
    toolbar.append(chooser, this._progress);
    this._item = el('div', 'jp-JupyterExt-labelingItem');
    this._categories = el('div', 'jp-JupyterExt-categories');
    this._submit = button('jp-mod-accept jp-JupyterExt-submit', 'Submit (Enter)', () => void this._answer());
    this._skip = button('jp-JupyterExt-skip', 'Skip (S)', () => void this._skipItem());
    this._undo = button('jp-JupyterExt-undo', 'Undo (Z)', () => void this._undoAnswer());
    const actions = el('div', 'jp-JupyterExt-labelingActions');
    actions.append(this._submit, this._skip, this._undo);
    const work = el('div', 'jp-JupyterExt-labelingWork');
    work.append(this._item, this._categories, actions);
    this._instructions = el('div', 'jp-JupyterExt-instructionsText');
    const side = el('aside', 'jp-JupyterExt-instructions');
    const keys = el('dl', 'jp-JupyterExt-shortcuts');
    for (const [key, what] of SHORTCUTS) {
      keys.append(el('dt', '', key), el('dd', '', what));
    }
    side.append(el('h3', '', 'Instructions'), this._instructions, el('h3', '', 'Keys'), keys);
    const body = el('div', 'jp-JupyterExt-labelingBody');
    body.append(work, side);
    this.node.append(toolbar, body);
    this.node.addEventListener('keydown', event => this._onKey(event));
  }

  /** The worker labeling now ('' before the job's workers are known). */
  get worker(): string {
    return this._worker;
  }

  protected async load(): Promise<ILabelingState> {
    const progress = await labelingProgress(this.jobName);
    this._fillWorkers(Object.keys(progress.workers));
    const next = this._worker ? await nextLabelingTask(this.jobName, this._worker) : null;
    return { progress, next };
  }

  protected draw(state: ILabelingState): void {
    this._showState(state.progress.state);
    this._progressOf = state.progress;
    this._show(state.next);
  }

  /** Polled only once nothing is left for the worker (until the job ends): while labeling,
   * the panel changes when its worker acts. */
  protected isLive(state: ILabelingState): boolean {
    return state.next?.task == null && !FINAL_STATES.includes(state.progress.state);
  }

  protected onAfterShow(): void {
    super.onAfterShow();
    this.node.focus();
  }

  /** Attached already visible (the first tab of an empty main area gets no after-show): focus it too. */
  protected onAfterAttach(): void {
    super.onAfterAttach();
    if (this.isVisible) {
      this.node.focus();
    }
  }

  dispose(): void {
    this._editor?.dispose();
    super.dispose();
  }

  private _showState(state: string): void {
    this.showStatus(state);
    this.badge.textContent = STATES[state] ?? state;
  }

  /** The job's workers in the chooser; the remembered one (or the first) chosen. */
  private _fillWorkers(workers: string[]): void {
    if (workers.join('\n') !== [...this._workers.options].map(o => o.value).join('\n')) {
      this._workers.replaceChildren(...workers.map(worker => new Option(worker, worker)));
    }
    if (!workers.includes(this._worker)) {
      const remembered = [localStorage.getItem(`${WORKER_KEY}:${this.jobName}`), localStorage.getItem(WORKER_KEY)];
      this._worker = remembered.find(w => w && workers.includes(w)) ?? workers[0] ?? '';
    }
    this._workers.value = this._worker;
    this.node.dataset.worker = this._worker;
  }

  private _chooseWorker(worker: string): void {
    this._worker = worker;
    this.node.dataset.worker = worker;
    localStorage.setItem(`${WORKER_KEY}:${this.jobName}`, worker);
    localStorage.setItem(WORKER_KEY, worker);
    this._shown = null;
    void this.refresh();
  }

  /** Show the worker's next item; the same item as shown keeps its editor (boxes drawn so far). */
  private _show(next: NextLabelingTaskResponse | null): void {
    const task = next?.task ?? null;
    const key = task ? `${next!.worker}:${task.item}:${JSON.stringify(task.previous)}` : null;
    if (key === null || key !== this._shown) {
      this._editor?.dispose();
      this._editor = task ? editorFor(this.jobName, task, this._host) : null;
      this._task = task;
      this._shown = key;
      this._item.replaceChildren(this._editor ? this._editor.node : this._doneNode());
      this._drawCategories(task);
      this._instructions.textContent = task?.instructions || (task ? 'No instructions.' : '');
    }
    this._drawProgress(task);
    const answersOnChoose = this._editor?.answersOnChoose ?? true;
    this._submit.hidden = answersOnChoose;
    this._skip.disabled = !task;
    this.node.dataset.item = task ? String(task.item) : '';
    this.node.dataset.taskType = task?.task_type ?? '';
  }

  private _doneNode(): HTMLElement {
    const who = this._worker || 'nobody';
    const text = this._worker
      ? `Nothing left for ${who}: every item in your queue is answered. Undo (Z) takes your last answer back.`
      : 'This labeling job has no workers.';
    return el('p', 'jp-JupyterExt-labelingDone', text);
  }

  private _drawCategories(task: LabelingTask | null): void {
    const buttons = (task?.categories ?? []).map((category, index) => {
      const choose = button('jp-JupyterExt-category', '', () => this._choose(category));
      if (index < 9) {
        choose.append(el('kbd', 'jp-JupyterExt-key', String(index + 1)));
      }
      choose.append(el('span', 'jp-JupyterExt-categoryName', category));
      choose.dataset.category = category;
      choose.title = index < 9 ? `${category} (key ${index + 1})` : category;
      return choose;
    });
    this._categories.replaceChildren(...buttons);
    this._host.changed();
  }

  private _drawProgress(task: LabelingTask | null): void {
    const progress = this._progressOf;
    const labeled = task?.labeled ?? (progress ? progress.human + progress.machine : 0);
    const total = task?.total ?? (progress ? progress.human + progress.machine + progress.left : 0);
    const done = task?.worker_done ?? (progress?.workers[this._worker] ?? 0);
    const queue = task?.worker_total ?? done;
    this._bar.style.width = `${queue ? (100 * done) / queue : 100}%`;
    this._progress.dataset.done = String(done);
    this._progress.dataset.queue = String(queue);
    this._progress.dataset.labeled = String(labeled);
    this._progressText.textContent = `${done} of ${queue} answered by ${this._worker || '—'} · ${labeled} of ${total} items labeled`;
  }

  private _choose(category: string): void {
    if (!this._editor) {
      return;
    }
    this._editor.choose(category);
    this._host.changed();
    if (this._editor.answersOnChoose) {
      void this._answer();
    }
  }

  private _onKey(event: KeyboardEvent): void {
    const target = event.target as HTMLElement;
    if (target.closest('select, input, textarea') || event.altKey || event.metaKey) {
      return;
    }
    const key = event.key.toLowerCase();
    const handled = this._editor?.onKey(event) ||
      (/^[1-9]$/.test(key) && !event.ctrlKey && this._chooseNumber(Number(key))) ||
      (key === 'enter' && !event.ctrlKey && (void this._answer(), true)) ||
      (key === 's' && !event.ctrlKey && (void this._skipItem(), true)) ||
      (key === 'z' && (void this._undoAnswer(), true));
    if (handled) {
      event.preventDefault(); // Enter on a focused button would click it again
      event.stopPropagation();
    }
  }

  private _chooseNumber(number: number): boolean {
    const category = this._task?.categories[number - 1];
    if (category === undefined) {
      return false;
    }
    this._choose(category);
    return true;
  }

  private async _answer(): Promise<void> {
    const task = this._task;
    if (!task || !this._editor) {
      return;
    }
    const answer = this._editor.answer();
    if (typeof answer === 'string') {
      this.message.textContent = answer;
      return;
    }
    await this._act('submit the answer', () => submitLabelingAnswer(this.jobName, this._worker, task.item, answer));
  }

  private async _skipItem(): Promise<void> {
    const task = this._task;
    if (task) {
      await this._act('skip the item', () => skipLabelingItem(this.jobName, this._worker, task.item));
    }
  }

  private async _undoAnswer(): Promise<void> {
    if (this._worker) {
      await this._act('undo', () => undoLabelingAnswer(this.jobName, this._worker));
    }
  }

  /** One call at a time; its answer (the next item) is shown, its error in the message line. */
  private async _act(what: string, call: () => Promise<NextLabelingTaskResponse>): Promise<void> {
    if (this._busy) {
      return;
    }
    this._busy = true;
    this.node.dataset.busy = 'true';
    try {
      const next = await call();
      this.message.textContent = '';
      this._show(next);
      if (!next.task) {
        void this.refresh(); // nothing left: the page polls until the job ends
        return;
      }
      void labelingProgress(this.jobName).then(progress => {
        this._progressOf = progress;
        this._showState(progress.state);
        this._drawProgress(this._task);
      }).catch(() => undefined); // the next action shows any error
    } catch (error) {
      this.message.textContent = `Cannot ${what}: ${(error as Error).message}`;
    } finally {
      this._busy = false;
      delete this.node.dataset.busy;
      this.node.focus();
    }
  }

  private readonly _host: IEditorHost = {
    notify: message => {
      this.message.textContent = message;
    },
    changed: () => {
      for (const node of this._categories.querySelectorAll<HTMLButtonElement>('.jp-JupyterExt-category')) {
        const pressed = this._editor?.isPressed(node.dataset.category ?? '') ?? false;
        node.classList.toggle('jp-mod-pressed', pressed);
        node.setAttribute('aria-pressed', String(pressed));
      }
    }
  };

  private _worker = '';
  private _task: LabelingTask | null = null;
  private _editor: IItemEditor | null = null;
  private _shown: string | null = null;
  private _busy = false;
  private _progressOf: LabelingJobProgress | null = null;
  private readonly _workers: HTMLSelectElement;
  private readonly _bar: HTMLDivElement;
  private readonly _progress: HTMLDivElement;
  private readonly _progressText: HTMLSpanElement;
  private readonly _item: HTMLDivElement;
  private readonly _categories: HTMLDivElement;
  private readonly _submit: HTMLButtonElement;
  private readonly _skip: HTMLButtonElement;
  private readonly _undo: HTMLButtonElement;
  private readonly _instructions: HTMLDivElement;
}

/** A main-area labeling panel for job `name`. */
export function labelingPage(name: string): MainAreaWidget<LabelingView> {
  return mainAreaPage(new LabelingView(name), `jupyter-ext-labeling-${name}`, `Label: ${name}`, `Labeling job ${name}`, jobsIcon);
}
