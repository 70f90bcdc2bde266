/**
 * A pipeline execution's steps drawn as a graph (SVG): a row per depth, an arrow from
 * each step to the steps that wait for it, each step coloured by its status.
 */
import { PipelineStepNode } from './models';

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 128;
const HEIGHT = 30;
const GAP_X = 16;
const GAP_Y = 34;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number>): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes)) {
    element.setAttribute(key, String(value));
  }
  return element;
}

/** Each step's depth: 0 for a step that waits for nothing, else one more than its deepest need. */
function depths(steps: PipelineStepNode[]): Map<string, number> {
  const known = new Map(steps.map(step => [step.name, step]));
  const found = new Map<string, number>();
  const visit = (name: string, trail: Set<string>): number => {
    const done = found.get(name);
    if (done !== undefined) {
      return done;
    }
    const needs = (known.get(name)?.depends_on ?? []).filter(need => known.has(need) && !trail.has(need));
    const depth = needs.length ? 1 + Math.max(...needs.map(need => visit(need, new Set([...trail, name])))) : 0;
    found.set(name, depth);
    return depth;
  };
  steps.forEach(step => visit(step.name, new Set()));
  return found;
}

function label(text: string): string {
  return text.length > 17 ? `${text.slice(0, 16)}…` : text;
}

/** The graph of `steps`; `onOpen` is called with a step whose node is clicked. */
export function drawGraph(steps: PipelineStepNode[], onOpen: (step: PipelineStepNode) => void): SVGSVGElement {
  const depth = depths(steps);
  const rows: PipelineStepNode[][] = [];
  for (const step of steps) {
    (rows[depth.get(step.name) ?? 0] ??= []).push(step);
  }
  const widest = Math.max(1, ...rows.map(row => row.length));
  const width = widest * (WIDTH + GAP_X) + GAP_X;
  const where = new Map<string, { x: number; y: number }>();
  rows.forEach((row, r) => row.forEach((step, i) => {
    const offset = (width - row.length * (WIDTH + GAP_X) + GAP_X) / 2;
    where.set(step.name, { x: offset + i * (WIDTH + GAP_X), y: GAP_X / 2 + r * (HEIGHT + GAP_Y) });
  }));
  const height = rows.length * (HEIGHT + GAP_Y) - GAP_Y + GAP_X;
  const root = svg('svg', { class: 'jp-JupyterExt-dag', viewBox: `0 0 ${width} ${height}`, width, height });
  const marker = svg('marker', { id: 'jp-JupyterExt-arrow', viewBox: '0 0 8 8', refX: 8, refY: 4, markerWidth: 6, markerHeight: 6, orient: 'auto' });
  marker.append(svg('path', { d: 'M0,0 L8,4 L0,8 z', class: 'jp-JupyterExt-dagArrow' }));
  const defs = svg('defs', {});
  defs.append(marker);
  root.append(defs);
  for (const step of steps) {
    const to = where.get(step.name)!;
    for (const need of step.depends_on) {
      const from = where.get(need);
      if (from) {
        root.append(svg('path', {
          class: 'jp-JupyterExt-dagEdge', 'marker-end': 'url(#jp-JupyterExt-arrow)',
          d: `M${from.x + WIDTH / 2},${from.y + HEIGHT} C${from.x + WIDTH / 2},${from.y + HEIGHT + GAP_Y / 2} ${to.x + WIDTH / 2},${to.y - GAP_Y / 2} ${to.x + WIDTH / 2},${to.y}`
        }));
      }
    }
  }
  for (const step of steps) {
    const { x, y } = where.get(step.name)!;
    const node = svg('g', { class: `jp-JupyterExt-dagNode jp-JupyterExt-step-${step.status}`, transform: `translate(${x},${y})` });
    node.dataset.step = step.name;
    node.dataset.status = step.status;
    const title = svg('title', {});
    title.textContent = [`${step.name} (${step.kind}): ${step.status}`, step.failure_reason ?? '',
      step.cache_hit_execution ? `reused from execution ${step.cache_hit_execution}` : '',
      step.outcome ? `condition ${step.outcome}` : ''].filter(Boolean).join('\n');
    const text = svg('text', { x: WIDTH / 2, y: HEIGHT / 2 + 4, 'text-anchor': 'middle' });
    text.textContent = label(step.name);
    node.append(title, svg('rect', { width: WIDTH, height: HEIGHT, rx: 6 }), text);
    node.addEventListener('click', () => onOpen(step));
    root.append(node);
  }
  return root;
}
