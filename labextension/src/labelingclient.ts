/**
 * Typed calls of the labeling REST API (`/jupyter-ext/api/labeling-jobs/{job}/...`): a worker's
 * next item, answer, skip, undo (each answers the worker's next item), an item's image, a job's progress.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { requestAPI } from './api';
import { LabelingJobProgress, NextLabelingTaskResponse } from './models';

/** An answer in one of the task types' shapes (see SubmitLabelingAnswerRequest). */
export type LabelingAnswer = Record<string, unknown>;

function jobPath(job: string, ...rest: string[]): string {
  return ['labeling-jobs', encodeURIComponent(job), ...rest].join('/');
}

function post(job: string, what: string, body: object): Promise<NextLabelingTaskResponse> {
  return requestAPI<NextLabelingTaskResponse>(jobPath(job, what), { method: 'POST', body: JSON.stringify(body) });
}

/** The worker's next item (`task` null: nothing left in the worker's queue). */
export function nextLabelingTask(job: string, worker: string): Promise<NextLabelingTaskResponse> {
  return requestAPI<NextLabelingTaskResponse>(`${jobPath(job, 'task')}?worker=${encodeURIComponent(worker)}`);
}

/** Submit the worker's answer to `item`; answers the next item. */
export function submitLabelingAnswer(job: string, worker: string, item: number, answer: LabelingAnswer): Promise<NextLabelingTaskResponse> {
  return post(job, 'answers', { worker, item, answer });
}

/** Put `item` at the back of the worker's queue; answers the next item. */
export function skipLabelingItem(job: string, worker: string, item: number): Promise<NextLabelingTaskResponse> {
  return post(job, 'skip', { worker, item });
}

/** Take back the worker's last answer; answers its item (with the answer as `previous`). */
export function undoLabelingAnswer(job: string, worker: string): Promise<NextLabelingTaskResponse> {
  return post(job, 'undo', { worker });
}

/** The job's counts, label distribution and confidence histogram. */
export function labelingProgress(job: string): Promise<LabelingJobProgress> {
  return requestAPI<LabelingJobProgress>(jobPath(job, 'progress'));
}

/** An object URL of item `item`'s image (fetched with the server's authentication); revoke it when done. */
export async function itemImageURL(job: string, item: number): Promise<string> {
  const settings = ServerConnection.makeSettings();
  const url = URLExt.join(settings.baseUrl, 'jupyter-ext', 'api', jobPath(job, 'items', String(item), 'source'));
  const response = await ServerConnection.makeRequest(url, {}, settings);
  if (!response.ok) {
    let message = response.statusText;
    try {
      message = (await response.json()).message ?? message;
    } catch {
      // not our JSON error body
    }
    throw new ServerConnection.ResponseError(response, message);
  }
  return URL.createObjectURL(await response.blob());
}
