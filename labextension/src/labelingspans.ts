/**
 * The NamedEntityRecognition editor: select a span of the text with the mouse, then choose a
 * category (its button or key) to tag it; click a tag to remove it. Offsets are characters of
 * the item's text, end exclusive.
 */
import { el } from './dom';
import { LabelingAnswer } from './labelingclient';
import { IEditorHost, IItemEditor } from './labelingeditors';
import { LabelingTask } from './models';

/** A tagged span. */
export interface IEntity {
  label: string;
  start: number;
  end: number;
}

/** The character offset in the whole text of a place (node, offset) of a selection, or null if outside it. */
function characterOffset(container: HTMLElement, node: Node, offset: number): number | null {
  const element = node.nodeType === Node.TEXT_NODE ? node.parentElement : (node as Element);
  const part = element?.closest<HTMLElement>('[data-start]');
  if (!part || !container.contains(part)) {
    return null;
  }
  const start = Number(part.dataset.start);
  if (node.nodeType === Node.TEXT_NODE) {
    return start + offset;
  }
  return offset === 0 ? start : start + (part.textContent ?? '').length;
}

export class SpanEditor implements IItemEditor {
  readonly node = el('div', 'jp-JupyterExt-itemView jp-JupyterExt-spanEditor');
  readonly answersOnChoose = false;

  constructor(task: LabelingTask, private readonly host: IEditorHost) {
    this._text = task.text ?? '';
    this._textNode = el('div', 'jp-JupyterExt-itemText jp-JupyterExt-nerText');
    this._textNode.dataset.item = String(task.item);
    this._pending = el('div', 'jp-JupyterExt-pendingSpan', 'Select a span of the text, then choose its category.');
    this.node.append(this._textNode, this._pending);
    const previous = task.previous?.entities;
    this._entities = Array.isArray(previous) ? previous.map(entity => ({ ...(entity as IEntity) })) : [];
    this._textNode.addEventListener('mouseup', () => this._onSelect());
    this._textNode.addEventListener('click', event => this._onClick(event));
    this._draw();
  }

  /** The tagged spans so far. */
  get entities(): IEntity[] {
    return this._entities;
  }

  choose(category: string): void {
    const span = this._span;
    if (!span) {
      this.host.notify('Select a span of the text first, then choose its category.');
      return;
    }
    const overlap = this._entities.find(e => e.start < span.end && span.start < e.end);
    if (overlap) {
      this.host.notify(`“${this._text.slice(span.start, span.end)}” overlaps the ${overlap.label} tag “${this._text.slice(overlap.start, overlap.end)}”; remove that tag first (click it).`);
      this._span = null; // select again once the tag is gone
      window.getSelection()?.removeAllRanges();
      this._draw(false);
      return;
    }
    this._entities.push({ label: category, ...span });
    this._entities.sort((a, b) => a.start - b.start);
    this._span = null;
    window.getSelection()?.removeAllRanges();
    this._draw();
  }

  isPressed(): boolean {
    return false;
  }

  answer(): LabelingAnswer | string {
    return { entities: this._entities.map(({ label, start, end }) => ({ label, start, end })) };
  }

  onKey(event: KeyboardEvent): boolean {
    if (event.key === 'Escape' && this._span) {
      this._span = null;
      window.getSelection()?.removeAllRanges();
      this._draw();
      return true;
    }
    return false;
  }

  dispose(): void {
    // nothing held
  }

  /** The mouse let go: the selection within the text, its spaces trimmed, is the span to tag. */
  private _onSelect(): void {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) {
      return;
    }
    const range = selection.getRangeAt(0);
    let start = characterOffset(this._textNode, range.startContainer, range.startOffset);
    let end = characterOffset(this._textNode, range.endContainer, range.endOffset);
    if (start === null || end === null) {
      return;
    }
    while (start < end && /\s/.test(this._text[start])) {
      start++;
    }
    while (end > start && /\s/.test(this._text[end - 1])) {
      end--;
    }
    this._span = end > start ? { start, end } : null;
    this._draw(false);
  }

  private _onClick(event: MouseEvent): void {
    const tag = (event.target as Element).closest<HTMLElement>('.jp-JupyterExt-entity');
    if (!tag || !window.getSelection()?.isCollapsed) {
      return; // the end of a selection, not a click on a tag
    }
    const start = Number(tag.dataset.start);
    this._entities = this._entities.filter(e => e.start !== start);
    this._draw();
  }

  /** The text in parts (plain, or a tag), each with its start offset. `all` false: only the pending line. */
  private _draw(all = true): void {
    const span = this._span;
    this._pending.textContent = span
      ? `Selected “${this._text.slice(span.start, span.end)}” (${span.start}–${span.end}): choose its category.`
      : 'Select a span of the text, then choose its category.';
    this._pending.dataset.span = span ? `${span.start}-${span.end}` : '';
    if (!all) {
      return;
    }
    const parts: HTMLElement[] = [];
    let at = 0;
    for (const entity of this._entities) {
      if (entity.start > at) {
        parts.push(this._part('span', 'jp-JupyterExt-textPart', at, entity.start));
      }
      const tag = this._part('mark', 'jp-JupyterExt-entity', entity.start, entity.end);
      tag.dataset.label = entity.label;
      tag.dataset.end = String(entity.end);
      tag.title = `${entity.label}: click to remove`;
      parts.push(tag);
      at = entity.end;
    }
    if (at < this._text.length || !parts.length) {
      parts.push(this._part('span', 'jp-JupyterExt-textPart', at, this._text.length));
    }
    this._textNode.replaceChildren(...parts);
    this.node.dataset.entities = String(this._entities.length);
    this.host.changed();
  }

  private _part(tag: 'span' | 'mark', className: string, start: number, end: number): HTMLElement {
    const part = el(tag, className, this._text.slice(start, end));
    part.dataset.start = String(start);
    return part;
  }

  private readonly _text: string;
  private readonly _textNode: HTMLDivElement;
  private readonly _pending: HTMLDivElement;
  private _entities: IEntity[];
  private _span: { start: number; end: number } | null = null;
}
