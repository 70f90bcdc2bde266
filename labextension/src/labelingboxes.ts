/**
 * The BoundingBox editor: drag on the image to draw a box with the chosen label; click a box to
 * select it, drag it to move it, drag a corner handle to resize it; Delete or Backspace removes
 * the selected box; a category chosen while a box is selected relabels it. Coordinates are the
 * image's natural pixels: the SVG over the image has the image's pixels as its viewBox.
 */
import { el } from './dom';
import { LabelingAnswer } from './labelingclient';
import { IEditorHost, IItemEditor, ImageFrame } from './labelingeditors';
import { LabelingTask } from './models';

const SVG = 'http://www.w3.org/2000/svg';
/** A box smaller than this (natural pixels, either side) is a click, not a box. */
const MIN_SIZE = 2;
/** Corner handles' size on screen, in px. */
const HANDLE_PX = 10;
const CORNERS = ['nw', 'ne', 'sw', 'se'] as const;

/** A box in natural pixels. */
export interface IBox {
  label: string;
  left: number;
  top: number;
  width: number;
  height: number;
}

type Point = { x: number; y: number };
/** What a drag does: draw a new box or resize one from a fixed corner, or move one by an offset. */
type Drag = { kind: 'draw' | 'resize'; anchor: Point; index: number | null } | { kind: 'move'; index: number; offset: Point };

function svg<K extends keyof SVGElementTagNameMap>(tag: K, className: string, attributes: Record<string, string | number>): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  node.setAttribute('class', className);
  for (const [key, value] of Object.entries(attributes)) {
    node.setAttribute(key, String(value));
  }
  return node;
}

function boxFrom(a: Point, b: Point, label: string): IBox {
  return { label, left: Math.min(a.x, b.x), top: Math.min(a.y, b.y), width: Math.abs(a.x - b.x), height: Math.abs(a.y - b.y) };
}

export class BoxEditor implements IItemEditor {
  readonly node = el('div', 'jp-JupyterExt-itemView jp-JupyterExt-boxEditor');
  readonly answersOnChoose = false;

  constructor(job: string, task: LabelingTask, private readonly host: IEditorHost) {
    this._label = task.categories[0] ?? '';
    this._frame = new ImageFrame(job, task, message => host.notify(message));
    this._svg = svg('svg', 'jp-JupyterExt-boxes', { preserveAspectRatio: 'none' });
    this._frame.node.append(this._svg);
    this.node.append(this._frame.node);
    const previous = task.previous?.boxes;
    this._boxes = Array.isArray(previous) ? previous.map(box => ({ ...(box as IBox) })) : [];
    this._svg.addEventListener('pointerdown', event => this._onDown(event));
    this._svg.addEventListener('pointermove', event => this._onMove(event));
    this._svg.addEventListener('pointerup', event => this._onUp(event));
    void this._frame.loaded.then(() => {
      this._svg.setAttribute('viewBox', `0 0 ${this._frame.naturalWidth} ${this._frame.naturalHeight}`);
      this._draw();
    });
  }

  /** The boxes drawn so far (natural pixels). */
  get boxes(): IBox[] {
    return this._boxes;
  }

  choose(category: string): void {
    this._label = category;
    if (this._selected !== null) {
      this._boxes[this._selected].label = category;
      this._draw();
    }
  }

  isPressed(category: string): boolean {
    return (this._selected !== null ? this._boxes[this._selected].label : this._label) === category;
  }

  answer(): LabelingAnswer | string {
    const [width, height] = [this._frame.naturalWidth, this._frame.naturalHeight];
    if (!width) {
      return 'The image has not loaded yet.';
    }
    const boxes = this._boxes.map(box => {
      const left = Math.max(0, Math.round(box.left));
      const top = Math.max(0, Math.round(box.top));
      return {
        label: box.label, left, top,
        width: Math.min(width - left, Math.round(box.width)), height: Math.min(height - top, Math.round(box.height))
      };
    });
    return { boxes, image_size: { width, height } };
  }

  onKey(event: KeyboardEvent): boolean {
    if ((event.key === 'Delete' || event.key === 'Backspace') && this._selected !== null) {
      this._boxes.splice(this._selected, 1);
      this._select(null);
      return true;
    }
    if (event.key === 'Escape' && this._selected !== null) {
      this._select(null);
      return true;
    }
    return false;
  }

  dispose(): void {
    this._frame.dispose();
  }

  /** A pointer event's place in natural pixels, kept inside the image. */
  private _point(event: PointerEvent): Point {
    const rect = this._svg.getBoundingClientRect();
    const [width, height] = [this._frame.naturalWidth, this._frame.naturalHeight];
    const x = ((event.clientX - rect.left) / rect.width) * width;
    const y = ((event.clientY - rect.top) / rect.height) * height;
    return { x: Math.min(width, Math.max(0, x)), y: Math.min(height, Math.max(0, y)) };
  }

  private _onDown(event: PointerEvent): void {
    if (event.button !== 0 || !this._frame.naturalWidth) {
      return;
    }
    event.preventDefault();
    this._svg.setPointerCapture(event.pointerId);
    const target = event.target as Element;
    const point = this._point(event);
    const index = Number(target.closest('[data-index]')?.getAttribute('data-index') ?? NaN);
    const corner = target.getAttribute('data-handle');
    if (corner && this._selected !== null) {
      const box = this._boxes[this._selected];
      const anchor = { x: corner.endsWith('w') ? box.left + box.width : box.left, y: corner.startsWith('n') ? box.top + box.height : box.top };
      this._drag = { kind: 'resize', anchor, index: this._selected };
    } else if (!Number.isNaN(index)) {
      this._select(index);
      const box = this._boxes[index];
      this._drag = { kind: 'move', index, offset: { x: point.x - box.left, y: point.y - box.top } };
    } else {
      this._drag = { kind: 'draw', anchor: point, index: null };
    }
  }

  private _onMove(event: PointerEvent): void {
    const drag = this._drag;
    if (!drag) {
      return;
    }
    const point = this._point(event);
    if (drag.kind === 'move') {
      const box = this._boxes[drag.index];
      box.left = Math.min(this._frame.naturalWidth - box.width, Math.max(0, point.x - drag.offset.x));
      box.top = Math.min(this._frame.naturalHeight - box.height, Math.max(0, point.y - drag.offset.y));
    } else if (drag.index === null) {
      const box = boxFrom(drag.anchor, point, this._label);
      if (box.width < MIN_SIZE && box.height < MIN_SIZE) {
        return;
      }
      this._boxes.push(box);
      drag.index = this._boxes.length - 1;
      this._selected = drag.index;
    } else {
      this._boxes[drag.index] = boxFrom(drag.anchor, point, this._boxes[drag.index].label);
    }
    this._draw();
  }

  private _onUp(event: PointerEvent): void {
    const drag = this._drag;
    this._drag = null;
    if (this._svg.hasPointerCapture(event.pointerId)) {
      this._svg.releasePointerCapture(event.pointerId);
    }
    if (drag?.kind === 'draw' && drag.index === null) {
      this._select(null); // a click on the image: nothing selected
      return;
    }
    if (drag && drag.kind !== 'move' && drag.index !== null) {
      const box = this._boxes[drag.index];
      if (box.width < MIN_SIZE || box.height < MIN_SIZE) {
        this._boxes.splice(drag.index, 1);
        this.host.notify(`A box must be at least ${MIN_SIZE} pixels wide and high; drag further.`);
        this._selected = null;
      }
    }
    this._select(this._selected);
  }

  private _select(index: number | null): void {
    this._selected = index;
    this._draw();
    this.host.changed();
  }

  private _draw(): void {
    const scale = this._frame.scale || 1;
    const handle = HANDLE_PX / scale;
    const nodes: SVGElement[] = this._boxes.map((box, index) => {
      const group = svg('g', `jp-JupyterExt-box${index === this._selected ? ' jp-mod-selected' : ''}`,
        { 'data-index': index, 'data-label': box.label });
      group.append(svg('rect', 'jp-JupyterExt-boxRect', { x: box.left, y: box.top, width: box.width, height: box.height }));
      const caption = svg('text', 'jp-JupyterExt-boxLabel', { x: box.left + 2 / scale, y: box.top + 12 / scale, 'font-size': 11 / scale });
      caption.textContent = box.label;
      group.append(caption);
      if (index === this._selected) {
        for (const corner of CORNERS) {
          const x = corner.endsWith('w') ? box.left : box.left + box.width;
          const y = corner.startsWith('n') ? box.top : box.top + box.height;
          group.append(svg('rect', `jp-JupyterExt-handle jp-mod-${corner}`,
            { 'data-handle': corner, x: x - handle / 2, y: y - handle / 2, width: handle, height: handle }));
        }
      }
      return group;
    });
    this._svg.replaceChildren(...nodes);
    this.node.dataset.boxes = String(this._boxes.length);
  }

  private _label: string;
  private _boxes: IBox[];
  private _selected: number | null = null;
  private _drag: Drag | null = null;
  private readonly _frame: ImageFrame;
  private readonly _svg: SVGSVGElement;
}
