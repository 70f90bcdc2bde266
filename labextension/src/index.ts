/**
 * The jupyter_ext JupyterLab extension: a panel in the left sidebar with jobs, experiments,
 * endpoints and lifecycle scripts.
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, InputDialog } from '@jupyterlab/apputils';

import { JobsPanel, PANEL_ID } from './panel';

/** The commands this extension adds. */
export namespace CommandIDs {
  export const refresh = 'jupyter-ext:refresh';
  export const openJob = 'jupyter-ext:open-job';
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
    const panel = new JobsPanel();
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
        let name = typeof args.name === 'string' ? args.name : '';
        if (!name) {
          const answer = await InputDialog.getText({ title: 'Open job', placeholder: 'job name' });
          name = answer.button.accept ? (answer.value ?? '').trim() : '';
        }
        if (name) {
          app.shell.activateById(panel.id);
          await panel.openJob(name);
        }
      }
    });
    palette?.addItem({ command: CommandIDs.refresh, category: 'jupyter_ext' });
    palette?.addItem({ command: CommandIDs.openJob, category: 'jupyter_ext' });
  }
};

export default sidebar;
