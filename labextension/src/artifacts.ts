/**
 * A job's or a run's artifacts as links: clicking one asks the server to copy it under JupyterLab's
 * root (jupyter_ext-outputs/<job>/ or jupyter_ext-outputs/runs/<run>/) and opens the copy in JupyterLab (a notebook in the
 * notebook editor, an HTML report in a tab, any other file in its viewer); a folder's files
 * and an archive's members are listed under the link (a folder's files are links in turn).
 */
import { openArtifact } from './client';
import { el } from './dom';

let opener: (path: string) => void = () => undefined;

/** Set how a path under JupyterLab's root is opened (the extension passes docmanager:open). */
export function setArtifactOpener(open: (path: string) => void): void {
  opener = open;
}

/** Whose artifact a link opens: a job's or an experiment run's. */
export interface ArtifactOwner {
  kind: 'jobs' | 'runs';
  name: string;
}

/** Whether an artifact's value is a file or folder on the server's machine (else a URI or a short value). */
export function isLocalPath(value: string): boolean {
  return value.startsWith('/') || value.startsWith('file://');
}

/** A link to `owner`'s artifact `path`, labelled `label` (the path itself by default). */
export function artifactLink(owner: ArtifactOwner, path: string, label = path): HTMLElement {
  const box = el('div', 'jp-JupyterExt-artifact');
  const link = el('a', 'jp-JupyterExt-artifactLink', label);
  link.href = '#';
  link.title = `Open ${path} in JupyterLab`;
  link.dataset.path = path;
  const listing = el('ul', 'jp-JupyterExt-artifactMembers');
  listing.hidden = true;
  link.addEventListener('click', event => {
    event.preventDefault();
    void open(owner, path, listing);
  });
  box.append(link, listing);
  return box;
}

async function open(owner: ArtifactOwner, path: string, listing: HTMLUListElement): Promise<void> {
  try {
    const answer = await openArtifact(owner.kind, owner.name, path);
    if (answer.kind === 'folder' || answer.kind === 'archive') {
      listing.hidden = !listing.hidden;
      listing.replaceChildren(...answer.members.map(member => {
        const item = el('li', '');
        const short = answer.kind === 'folder' ? member.slice(path.replace(/\/$/, '').length + 1) : member;
        item.append(answer.kind === 'folder' ? artifactLink(owner, member, short) : el('span', '', short));
        return item;
      }));
      if (!answer.members.length) {
        listing.replaceChildren(el('li', 'jp-JupyterExt-message', answer.kind === 'folder' ? 'Empty folder.' : 'Empty archive.'));
      }
      if (answer.path) {
        listing.append(el('li', 'jp-JupyterExt-type', `Copied to ${answer.path}`));
      }
      return;
    }
    if (answer.path) {
      opener(answer.path);
    }
  } catch (error) {
    listing.hidden = false;
    listing.replaceChildren(el('li', 'jp-JupyterExt-message', `Cannot open: ${(error as Error).message}`));
  }
}
