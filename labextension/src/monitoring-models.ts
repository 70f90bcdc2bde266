/**
 * The records of `GET /jupyter-ext/api/endpoints/{name}/monitoring` (Model Monitor).
 *
 * Written by hand to the contract agreed with the monitor work; once those records are
 * in jupyter_ext/models.py, the generated models.ts has them and this file can go.
 */

/** One violation of a monitoring run (constraint_violations.json). */
export interface MonitoringViolation {
  feature_name: string;
  constraint_check_type: string;
  description: string;
}

/** One monitoring run; `monitoring_execution_status` is InProgress, Completed,
 * CompletedWithViolations or Failed. */
export interface MonitoringExecutionSummary {
  job_name: string;
  monitoring_schedule_name: string | null;
  monitoring_execution_status: string;
  scheduled_time: string;
  ended_at: string | null;
  violations: MonitoringViolation[];
  report_path: string | null;
  failure_reason: string | null;
}

/** One monitoring schedule of the endpoint and its last run. */
export interface MonitoringScheduleSummary {
  monitoring_schedule_name: string;
  monitoring_type: string;
  schedule_expression: string;
  status: string;
  last_execution: MonitoringExecutionSummary | null;
}

/** The endpoint's schedules and its recent runs (newest first, at most 20). */
export interface EndpointMonitoring {
  endpoint_name: string;
  schedules: MonitoringScheduleSummary[];
  executions: MonitoringExecutionSummary[];
}
