/**
 * The jupyter_ext JupyterLab extension: a panel in the left sidebar with jobs, experiments,
 * endpoints and lifecycle scripts.
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, InputDialog, MainAreaWidget } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { setArtifactOpener } from './artifacts';
import { automlJobPage } from './automl';
import { runsComparePage } from './compare';
import { jobPage } from './jobpage';
import { labelingPage } from './labeling';
import { JobsPanel, PANEL_ID } from './panel';
import { tuningJobPage } from './tuning';

/** The commands this extension adds. */
export namespace CommandIDs {
  export const refresh = 'jupyter-ext:refresh';
  export const openJob = 'jupyter-ext:open-job';
  /** Args `{name}`: a tuning job's page in the main area (asks for the name without one). */
  export const openTuningJob = 'jupyter-ext:open-tuning-job';
  /** Args `{name}`: an AutoML job's page in the main area (asks for the name without one). */
  export const openAutoMLJob = 'jupyter-ext:open-automl-job';
  /** Args `{name}`: a job's page in the main area, the sidebar's detail at full size. */
  export const openJobPage = 'jupyter-ext:open-job-page';
  /** Args `{experiment}`: the runs-compare page (`experiment` '' or missing: the runs outside any). */
  export const compareRuns = 'jupyter-ext:compare-runs';
  /** Args `{name}`: a labeling job's panel, to label its items (asks for the name without one). */
  export const openLabeling = 'jupyter-ext:open-labeling';
}

async function askName(title: string, args: { name?: unknown }): Promise<string> {
  if (typeof args.name === 'string' && args.name) {
    return args.name;
  }
  const answer = await InputDialog.getText({ title, placeholder: 'job name' });
  return answer.button.accept ? (answer.value ?? '').trim() : '';
}

const sidebar: JupyterFrontEndPlugin<void> = {
  id: 'jupyter_ext:sidebar',
  description: 'The jupyter_ext panel in the left sidebar: jobs, experiments, endpoints, lifecycle scripts.',
  autoStart: true,
  optional: [ICommandPalette, ILayoutRestorer],
  activate: (
    app: JupyterFrontEnd,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null
  ): void => {
    const pages = new Map<string, MainAreaWidget<Widget>>();
    const pageCommands: Record<string, string> = {
      AutoML: CommandIDs.openAutoMLJob, Tuning: CommandIDs.openTuningJob, Labeling: CommandIDs.openLabeling
    };
    const openPage = (jobType: string, name: string) =>
      void app.commands.execute(pageCommands[jobType] ?? CommandIDs.openJobPage, { name });
    const panel = new JobsPanel(openPage,
    experiment => void app.commands.execute(CommandIDs.compareRuns, { experiment: experiment ?? '' }));
    /** The page of job `name` made by `make`, opened once and activated. */
    const showPage = (make: () => MainAreaWidget<Widget>, key: string) => {
      let page = pages.get(key);
      if (!page || page.isDisposed) {
        page = make();
        pages.set(key, page);
        app.shell.add(page, 'main');
      }
      app.shell.activateById(page.id);
    };
    const openPath = (path: string) => void app.commands.execute('docmanager:open', { path });
    setArtifactOpener(openPath);
    const showJob = (name: string) => {
      app.shell.activateById(panel.id);
      void panel.openJob(name);
    };
    app.shell.add(panel, 'left', { rank: 600 });
    restorer?.add(panel, PANEL_ID);

    app.commands.addCommand(CommandIDs.refresh, {
      label: 'Refresh jupyter_ext jobs',
      caption: 'Fetch the jobs panel content from the server again',
      execute: () => panel.refresh()
    });
    app.commands.addCommand(CommandIDs.openJob, {
      label: 'Open jupyter_ext job by name…',
      caption: 'Show one job in the jobs panel',
      execute: async args => {
        const name = await askName('Open job', args);
        if (name) {
          app.shell.activateById(panel.id);
          await panel.openJob(name);
        }
      }
    });
    app.commands.addCommand(CommandIDs.openTuningJob, {
      label: 'Open tuning job…',
      caption: "A tuning job's page: its training jobs, their hyperparameters and objective, charts",
      execute: async args => {
        const name = await askName('Open tuning job', args);
        if (!name) {
          return;
        }
        showPage(() => tuningJobPage(name, showJob), `tuning:${name}`);
      }
    });
    app.commands.addCommand(CommandIDs.openAutoMLJob, {
      label: 'Open AutoML job…',
      caption: "An AutoML job's page: the candidate leaderboard, the best candidate, its notebooks",
      execute: async args => {
        const name = await askName('Open AutoML job', args);
        if (name) {
          showPage(() => automlJobPage(name, openPath), `automl:${name}`);
        }
      }
    });
    app.commands.addCommand(CommandIDs.openJobPage, {
      label: 'Open job page…',
      caption: "A job's page: its detail with full-size charts",
      execute: async args => {
        const name = await askName('Open job page', args);
        if (name) {
          showPage(() => jobPage(name, showJob, openPage), `job:${name}`);
        }
      }
    });
    palette?.addItem({ command: CommandIDs.openJobPage, category: 'jupyter_ext' });
    app.commands.addCommand(CommandIDs.openLabeling, {
      label: 'Label a labeling job…',
      caption: "A labeling job's panel: your queue one item at a time, categories on keys 1–9, skip and undo",
      execute: async args => {
        const name = await askName('Label the items of labeling job', args);
        if (name) {
          showPage(() => labelingPage(name), `labeling:${name}`);
        }
      }
    });
    palette?.addItem({ command: CommandIDs.openLabeling, category: 'jupyter_ext' });
    app.commands.addCommand(CommandIDs.compareRuns, {
      label: args => (args.experiment ? `Compare the runs of ${args.experiment}` : 'Compare runs…'),
      caption: "An experiment's runs side by side (none named: the runs outside any experiment)",
      execute: async args => {
        let experiment = typeof args.experiment === 'string' ? args.experiment : null;
        if (experiment === null) {
          const answer = await InputDialog.getText({ title: 'Compare the runs of experiment (empty: unassigned runs)', placeholder: 'experiment name' });
          if (!answer.button.accept) {
            return;
          }
          experiment = (answer.value ?? '').trim();
        }
        const name = experiment || null;
        showPage(() => runsComparePage(name, run => {
          app.shell.activateById(panel.id);
          void panel.openRun(run);
        }), `compare:${name ?? ''}`);
      }
    });
    palette?.addItem({ command: CommandIDs.compareRuns, category: 'jupyter_ext' });
    palette?.addItem({ command: CommandIDs.refresh, category: 'jupyter_ext' });
    palette?.addItem({ command: CommandIDs.openJob, category: 'jupyter_ext' });
    palette?.addItem({ command: CommandIDs.openTuningJob, category: 'jupyter_ext' });
    palette?.addItem({ command: CommandIDs.openAutoMLJob, category: 'jupyter_ext' });
  }
};

export default sidebar;
