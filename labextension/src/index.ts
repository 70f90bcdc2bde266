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

import { JobsPanel, PANEL_ID } from './panel';
import { tuningJobPage, TuningJobView } from './tuning';

/** The commands this extension adds. */
export namespace CommandIDs {
  export const refresh = 'jupyter-ext:refresh';
  export const openJob = 'jupyter-ext:open-job';
  /** Args `{name}`: a tuning job's page in the main area (asks for the name without one). */
  export const openTuningJob = 'jupyter-ext:open-tuning-job';
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
    const pages = new Map<string, MainAreaWidget<TuningJobView>>();
    const panel = new JobsPanel(name => void app.commands.execute(CommandIDs.openTuningJob, { name }));
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
        let page = pages.get(name);
        if (!page || page.isDisposed) {
          page = tuningJobPage(name, showJob);
          pages.set(name, page);
          app.shell.add(page, 'main');
        }
        app.shell.activateById(page.id);
      }
    });
    palette?.addItem({ command: CommandIDs.refresh, category: 'jupyter_ext' });
    palette?.addItem({ command: CommandIDs.openJob, category: 'jupyter_ext' });
    palette?.addItem({ command: CommandIDs.openTuningJob, category: 'jupyter_ext' });
  }
};

export default sidebar;
