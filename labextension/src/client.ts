/**
 * Typed calls of the jobs REST API (`/jupyter-ext/api/jobs...`); the records are the
 * ones generated from the Python models (models.ts).
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { requestAPI } from './api';
import {
  EndpointDescription,
  EndpointMonitoring,
  GetLogRequest,
  InvokeEndpointRequest,
  InvokeEndpointResponse,
  LifecycleRun,
  LifecycleStatus,
  ListEndpointsResponse,
  ListModelPackageGroupsResponse,
  ListModelPackagesResponse,
  ListPipelineExecutionsResponse,
  ListPipelinesResponse,
  ModelPackageDescription,
  PipelineExecutionGraph,
  ListRuleEvaluationsResponse,
  JobDescription,
  LeaderboardRequest,
  LeaderboardResponse,
  ListExperimentsResponse,
  RunDescription,
  RunCharts,
  RunComparison,
  ListJobsRequest,
  ListJobsResponse,
  ListMetricsResponse,
  LogChunk,
  StopJobRequest,
  TuningJobDescription,
  AutoMLJobDescription,
  OpenNotebookResponse,
  OpenArtifactResponse
} from './models';

function query(request: object): string {
  const parts = Object.entries(request)
    .filter(([, value]) => value !== null && value !== undefined && value !== '')
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

function jobPath(name: string, ...rest: string[]): string {
  return ['jobs', encodeURIComponent(name), ...rest].join('/');
}

/** A page of jobs, or null when nothing changed since `etag` (the server said 304). */
export async function listJobs(
  request: ListJobsRequest,
  etag: string | null
): Promise<{ page: ListJobsResponse | null; etag: string | null }> {
  const settings = ServerConnection.makeSettings();
  const url = URLExt.join(settings.baseUrl, 'jupyter-ext', 'api', 'jobs') + query(request);
  const headers: Record<string, string> = etag ? { 'If-None-Match': etag } : {};
  const response = await ServerConnection.makeRequest(url, { headers }, settings);
  if (response.status === 304) {
    return { page: null, etag };
  }
  const data = await response.json();
  if (!response.ok) {
    throw new ServerConnection.ResponseError(response, data?.message ?? response.statusText);
  }
  return { page: data as ListJobsResponse, etag: response.headers.get('Etag') };
}

/** DescribeJob. */
export function describeJob(name: string): Promise<JobDescription> {
  return requestAPI<JobDescription>(jobPath(name));
}

/** A part of the job's log (see GetLogRequest). */
export function readLog(name: string, request: GetLogRequest): Promise<LogChunk> {
  return requestAPI<LogChunk>(jobPath(name, 'log') + query(request));
}

/** Every metric point of the job. */
export function listMetrics(name: string): Promise<ListMetricsResponse> {
  return requestAPI<ListMetricsResponse>(jobPath(name, 'metrics'));
}

/** Ask the job to stop; answers the job as it is right after the request. */
export function stopJob(name: string, request: StopJobRequest = {}): Promise<JobDescription> {
  return requestAPI<JobDescription>(jobPath(name, 'stop'), {
    method: 'POST',
    body: JSON.stringify(request)
  });
}

/** A tuning job's search settings and every training job it launched. */
export function describeTuningJob(name: string): Promise<TuningJobDescription> {
  return requestAPI<TuningJobDescription>(`tuning-jobs/${encodeURIComponent(name)}`);
}

/** An AutoML job's leaderboard (the ensemble included), best candidate and notebooks. */
export function describeAutoMLJob(name: string): Promise<AutoMLJobDescription> {
  return requestAPI<AutoMLJobDescription>(`automl-jobs/${encodeURIComponent(name)}`);
}

/** Copy an AutoML job's notebook (`kind` DataExploration or CandidateDefinition) under
 * JupyterLab's root; answers its path there. */
export function copyAutoMLNotebook(name: string, kind: string): Promise<OpenNotebookResponse> {
  return requestAPI<OpenNotebookResponse>(`automl-jobs/${encodeURIComponent(name)}/notebooks/${kind}`, {
    method: 'POST',
    body: '{}'
  });
}

/** Make an artifact of job or run `name` openable under JupyterLab's root (or list it). */
export function openArtifact(owner: 'jobs' | 'runs', name: string, path: string): Promise<OpenArtifactResponse> {
  return requestAPI<OpenArtifactResponse>([owner, encodeURIComponent(name), 'artifacts', 'open'].join('/'),
    { method: 'POST', body: JSON.stringify({ path }) });
}

/** Every experiment. */
export function listExperiments(): Promise<ListExperimentsResponse> {
  return requestAPI<ListExperimentsResponse>('experiments');
}

/** An experiment's runs ranked by a metric. */
export function getLeaderboard(name: string, request: LeaderboardRequest): Promise<LeaderboardResponse> {
  return requestAPI<LeaderboardResponse>(
    ['experiments', encodeURIComponent(name), 'leaderboard'].join('/') + query(request)
  );
}

/** One run in full. */
export function describeRun(name: string): Promise<RunDescription> {
  return requestAPI<RunDescription>(`runs/${encodeURIComponent(name)}`);
}

/** The runs of `experiment` side by side (null: the runs outside any experiment). */
export function compareRuns(experiment: string | null): Promise<RunComparison> {
  return requestAPI<RunComparison>(`run-comparison${query({ experiment })}`);
}

/** The ROC curves, precision-recall curves and confusion matrices run `name` logged. */
export function runCharts(name: string): Promise<RunCharts> {
  return requestAPI<RunCharts>(`runs/${encodeURIComponent(name)}/charts`);
}

/** A run's metric points. */
export function runMetrics(name: string): Promise<ListMetricsResponse> {
  return requestAPI<ListMetricsResponse>(`runs/${encodeURIComponent(name)}/metrics`);
}

/** A training job's debugger rules and how each evaluation stands. */
export function listRuleEvaluations(name: string): Promise<ListRuleEvaluationsResponse> {
  return requestAPI<ListRuleEvaluationsResponse>(jobPath(name, 'rules'));
}

/** The lifecycle scripts' settings and the last `limit` runs, newest first. */
export function lifecycleStatus(limit = 20): Promise<LifecycleStatus> {
  return requestAPI<LifecycleStatus>(`lifecycle${query({ limit })}`);
}

/** Run a lifecycle hook now, in the background; answers the InProgress run. */
export function startLifecycleRun(hook: string): Promise<LifecycleRun> {
  return requestAPI<LifecycleRun>('lifecycle/runs', { method: 'POST', body: JSON.stringify({ hook }) });
}

/** A lifecycle run by id (or a hook: its latest run). */
export function describeLifecycleRun(run: string): Promise<LifecycleRun> {
  return requestAPI<LifecycleRun>(`lifecycle/runs/${encodeURIComponent(run)}`);
}

/** A part of a lifecycle run's log. */
export function readLifecycleLog(run: string, request: GetLogRequest): Promise<LogChunk> {
  return requestAPI<LogChunk>(`lifecycle/runs/${encodeURIComponent(run)}/log${query(request)}`);
}

function endpointPath(name: string, ...rest: string[]): string {
  return ['endpoints', encodeURIComponent(name), ...rest].join('/');
}

/** Every endpoint, newest first. */
export function listEndpoints(): Promise<ListEndpointsResponse> {
  return requestAPI<ListEndpointsResponse>('endpoints');
}

/** DescribeEndpoint: status, variants, weights and traffic. */
export function describeEndpoint(name: string): Promise<EndpointDescription> {
  return requestAPI<EndpointDescription>(endpointPath(name));
}

/** Send a test request to the endpoint; its error answers come back, not thrown. */
export function invokeEndpoint(name: string, request: InvokeEndpointRequest): Promise<InvokeEndpointResponse> {
  return requestAPI<InvokeEndpointResponse>(endpointPath(name, 'invocations'), {
    method: 'POST',
    body: JSON.stringify(request)
  });
}

/** Delete the endpoint (stops its server and frees its port). */
export async function deleteEndpoint(name: string): Promise<void> {
  await requestAPI<void>(endpointPath(name), { method: 'DELETE' });
}

/**
 * The endpoint's Model Monitor schedules and runs, or null when this server has no
 * monitoring route (Model Monitor not installed there): a 404 without our JSON error body,
 * which is what jupyter_server answers for a path no handler serves.
 */
export async function getEndpointMonitoring(name: string): Promise<EndpointMonitoring | null> {
  const settings = ServerConnection.makeSettings();
  const url = URLExt.join(settings.baseUrl, 'jupyter-ext', 'api', endpointPath(name, 'monitoring'));
  const response = await ServerConnection.makeRequest(url, {}, settings);
  const text = await response.text();
  let data: { message?: string } | null = null;
  try {
    data = JSON.parse(text);
  } catch {
    data = null; // jupyter_server's HTML "404: Not Found" page
  }
  if (response.status === 404 && !data?.message) {
    return null;
  }
  if (!response.ok) {
    throw new ServerConnection.ResponseError(response, data?.message ?? response.statusText);
  }
  return data as unknown as EndpointMonitoring;
}

/** Every model package group, newest first. */
export function listModelPackageGroups(): Promise<ListModelPackageGroupsResponse> {
  return requestAPI<ListModelPackageGroupsResponse>('model-package-groups');
}

/** A group's versions, newest first. */
export function listModelPackages(group: string): Promise<ListModelPackagesResponse> {
  return requestAPI<ListModelPackagesResponse>(`model-package-groups/${encodeURIComponent(group)}/versions`);
}

/** Approve or reject a version (`decision` is 'approve' or 'reject'). */
export function decideModelPackage(group: string, version: number, decision: string): Promise<ModelPackageDescription> {
  return requestAPI<ModelPackageDescription>(
    `model-packages/${encodeURIComponent(group)}/${version}/${decision}`, { method: 'POST', body: '{}' });
}

/** Every stored pipeline with its newest execution. */
export function listPipelines(): Promise<ListPipelinesResponse> {
  return requestAPI<ListPipelinesResponse>('pipelines');
}

/** A pipeline's executions, newest first. */
export function listPipelineExecutions(name: string): Promise<ListPipelineExecutionsResponse> {
  return requestAPI<ListPipelineExecutionsResponse>(`pipelines/${encodeURIComponent(name)}/executions`);
}

/** An execution with every step of its pipeline (the graph the view draws). */
export function describePipelineExecution(execution: string): Promise<PipelineExecutionGraph> {
  return requestAPI<PipelineExecutionGraph>(`pipeline-executions/${encodeURIComponent(execution)}`);
}

/** Stop or retry an execution; answers its graph right after. */
export function actOnPipelineExecution(execution: string, action: 'stop' | 'retry'): Promise<PipelineExecutionGraph> {
  return requestAPI<PipelineExecutionGraph>(`pipeline-executions/${encodeURIComponent(execution)}/${action}`,
    { method: 'POST', body: '{}' });
}

/** "1m 05s"-style duration between two ISO times (the second defaults to now). */
export function elapsed(start: string | null, end: string | null): string {
  if (!start) {
    return '';
  }
  const seconds = Math.max(0, ((end ? Date.parse(end) : Date.now()) - Date.parse(start)) / 1000);
  if (seconds < 60) {
    return `${seconds.toFixed(seconds < 10 ? 1 : 0)}s`;
  }
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) {
    return `${minutes}m ${String(Math.floor(seconds % 60)).padStart(2, '0')}s`;
  }
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}
