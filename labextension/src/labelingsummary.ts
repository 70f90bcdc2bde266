/**
 * A labeling job's counts in its sidebar detail: items labeled by people, by the machine, and
 * left; answers per worker; the final labels' distribution and their confidence histogram.
 */
import { VegaChart } from './chart';
import { el, section, table } from './dom';
import { labelingProgress } from './labelingclient';
import { LabelingJobProgress } from './models';

function barChart(className: string, caption: string, x: Record<string, unknown>, height: number): VegaChart {
  return new VegaChart(className, caption, {
    mark: { type: 'bar', tooltip: true },
    encoding: { x, y: { field: 'count', type: 'quantitative', title: 'items', axis: { tickMinStep: 1, format: 'd' } } }
  }, height);
}

/** The section the job detail shows for a Labeling job (hidden for other jobs). */
export class LabelingSummary {
  readonly node: HTMLElement;

  constructor(private readonly chartHeight = 140) {
    const [box, body] = section('Labeling', 'jp-JupyterExt-labelingSummary');
    this.node = box;
    this._body = body;
    this._counts = el('div', 'jp-JupyterExt-labelingCounts');
    body.append(this._counts);
    this.node.hidden = true;
  }

  /** New charts for another job (a chart taken out of the page has let go of its view). */
  private _newCharts(): void {
    this.dispose();
    this._labels = barChart('jp-JupyterExt-labelChart', 'Final labels',
      { field: 'label', type: 'nominal', title: null, sort: null, axis: { labelAngle: 0 } }, this.chartHeight);
    this._confidence = barChart('jp-JupyterExt-confidenceChart', 'Confidence of the final labels',
      { field: 'bin', type: 'ordinal', title: 'confidence', sort: null, axis: { labelAngle: 0 } }, this.chartHeight);
    this._body.replaceChildren(this._counts, this._labels.node, this._confidence.node);
  }

  /** Show job `name`'s counts (`labeling` false: hide the section, the job is of another type). */
  async show(name: string, labeling: boolean): Promise<void> {
    this.node.hidden = !labeling;
    if (!labeling) {
      return;
    }
    try {
      const progress = await labelingProgress(name);
      if (name !== this._name || !this._labels) {
        this._name = name;
        this._newCharts();
      }
      this._draw(progress);
    } catch (error) {
      this._counts.textContent = `Cannot load the labeling counts: ${(error as Error).message}`;
    }
  }

  dispose(): void {
    this._labels?.dispose();
    this._confidence?.dispose();
  }

  private _draw(progress: LabelingJobProgress): void {
    const [labelChart, confidenceChart] = [this._labels!, this._confidence!];
    const rows: [string, string][] = [
      ['Labeled by people', String(progress.human)],
      ['Labeled by machine', String(progress.machine)],
      ['Left', String(progress.left)],
      ['State', progress.state]
    ];
    for (const [worker, answers] of Object.entries(progress.workers)) {
      rows.push([`Answers by ${worker}`, String(answers)]);
    }
    const counts = table(rows);
    counts.dataset.human = String(progress.human);
    counts.dataset.machine = String(progress.machine);
    counts.dataset.left = String(progress.left);
    this._counts.replaceChildren(counts);
    const labels = Object.entries(progress.per_label);
    labelChart.node.hidden = !labels.length;
    labelChart.setData(labels.map(([label, count]) => ({ label, count })));
    const bins = progress.confidence_histogram;
    confidenceChart.node.hidden = !bins.some(count => count > 0);
    confidenceChart.setData(bins.map((count, i) => ({ bin: `${(i / bins.length).toFixed(1)}–${((i + 1) / bins.length).toFixed(1)}`, count })));
    this._body.dataset.labels = JSON.stringify(progress.per_label);
  }

  private readonly _body: HTMLElement;
  private readonly _counts: HTMLDivElement;
  private _name = '';
  private _labels: VegaChart | null = null;
  private _confidence: VegaChart | null = null;
}
