/**
 * What the labeling panel shows of one item, and how a worker answers it: an editor per task
 * type. Classification answers with the category chosen; ImageMultiLabel toggles categories
 * then submits; BoundingBox (labelingboxes.ts) and NamedEntityRecognition (labelingspans.ts)
 * edit boxes and spans then submit.
 */
import { el } from './dom';
import { itemImageURL, LabelingAnswer } from './labelingclient';
import { LabelingTask } from './models';

/** One item's editor; the panel owns the category buttons and the keys it does not handle. */
export interface IItemEditor {
  readonly node: HTMLElement;
  /** Whether choosing a category answers the item at once (one label per item). */
  readonly answersOnChoose: boolean;
  /** A category chosen by its button or its key (1–9). */
  choose(category: string): void;
  /** Whether a category's button shows pressed (chosen, toggled on, or the box's label). */
  isPressed(category: string): boolean;
  /** The answer to submit, or a sentence saying what is missing. */
  answer(): LabelingAnswer | string;
  /** A key the editor handles (Delete for a box, …): true when handled. */
  onKey(event: KeyboardEvent): boolean;
  /** Let go of what it holds (an image's object URL). */
  dispose(): void;
}

/** What an editor tells the panel: a message to show, and that its state changed (buttons to redraw). */
export interface IEditorHost {
  notify(message: string): void;
  changed(): void;
}

/**
 * An item's image, fetched with the server's authentication and sized to fit its container
 * (small images scaled up); `naturalWidth`/`naturalHeight` are its pixels.
 */
export class ImageFrame {
  readonly node = el('div', 'jp-JupyterExt-imageFrame');
  readonly image = el('img', 'jp-JupyterExt-itemImage');
  readonly loaded: Promise<void>;

  constructor(job: string, task: LabelingTask, onError: (message: string) => void) {
    this.image.alt = task.source_ref ?? `item ${task.item}`;
    this.image.draggable = false;
    this.node.append(this.image);
    this.node.dataset.item = String(task.item);
    this.loaded = this._load(job, task.item).catch(error => onError(`Cannot load the image of item ${task.item}: ${(error as Error).message}`));
    this._resize = new ResizeObserver(() => this.fit());
  }

  get naturalWidth(): number {
    return this.image.naturalWidth;
  }

  get naturalHeight(): number {
    return this.image.naturalHeight;
  }

  /** Displayed size / natural size. */
  get scale(): number {
    return this.naturalWidth ? this.image.clientWidth / this.naturalWidth : 1;
  }

  /** Size the image to its container's width and at most 60% of the window's height. */
  fit(): void {
    const [width, height] = [this.naturalWidth, this.naturalHeight];
    const area = this.node.parentElement;
    if (!width || !height || !area) {
      return;
    }
    const scale = Math.min((area.clientWidth || 640) / width, Math.max(200, window.innerHeight * 0.6) / height, 8);
    this.image.style.width = `${Math.floor(width * scale)}px`;
    this.image.style.height = `${Math.floor(height * scale)}px`;
  }

  dispose(): void {
    this._resize.disconnect();
    if (this._url) {
      URL.revokeObjectURL(this._url);
    }
  }

  private async _load(job: string, item: number): Promise<void> {
    this._url = await itemImageURL(job, item);
    await new Promise<void>((resolve, reject) => {
      this.image.onload = () => resolve();
      this.image.onerror = () => reject(new Error('the browser cannot show it as an image'));
      this.image.src = this._url;
    });
    this.fit();
    if (this.node.parentElement) {
      this._resize.observe(this.node.parentElement);
    }
    this.node.dataset.naturalWidth = String(this.naturalWidth);
    this.node.dataset.naturalHeight = String(this.naturalHeight);
    this.node.dataset.loaded = 'true';
  }

  private _url = '';
  private readonly _resize: ResizeObserver;
}

/** An item's text (for text items), as plain text. */
export function itemText(task: LabelingTask): HTMLElement {
  const node = el('div', 'jp-JupyterExt-itemText', task.text ?? '');
  node.dataset.item = String(task.item);
  return node;
}

/** ImageClassification, TextClassification (one label, answered on choosing) and ImageMultiLabel (toggles). */
export class ClassEditor implements IItemEditor {
  readonly node = el('div', 'jp-JupyterExt-itemView');
  readonly answersOnChoose: boolean;

  constructor(job: string, task: LabelingTask, host: IEditorHost) {
    this._multi = task.task_type === 'ImageMultiLabel';
    this.answersOnChoose = !this._multi;
    if (task.text !== null && task.text !== undefined) {
      this.node.append(itemText(task));
    } else {
      this._image = new ImageFrame(job, task, message => host.notify(message));
      this.node.append(this._image.node);
    }
    const previous = task.previous ?? {};
    const labels = this._multi ? previous.labels : previous.label !== undefined ? [previous.label] : [];
    for (const label of Array.isArray(labels) ? labels : []) {
      this._chosen.add(String(label));
    }
  }

  choose(category: string): void {
    if (!this._multi) {
      this._chosen.clear();
      this._chosen.add(category);
    } else if (!this._chosen.delete(category)) {
      this._chosen.add(category);
    }
  }

  isPressed(category: string): boolean {
    return this._chosen.has(category);
  }

  answer(): LabelingAnswer | string {
    const chosen = [...this._chosen];
    if (this._multi) {
      return chosen.length ? { labels: chosen } : 'Toggle at least one category (its button or key), then Submit.';
    }
    return chosen.length ? { label: chosen[0] } : 'Choose a category: click its button or press its number.';
  }

  onKey(): boolean {
    return false;
  }

  dispose(): void {
    this._image?.dispose();
  }

  private readonly _multi: boolean;
  private readonly _chosen = new Set<string>();
  private readonly _image: ImageFrame | null = null;
}
