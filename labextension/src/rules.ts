/**
 * The debugger rules of a training job, for its detail view: each rule's evaluation
 * status, the step that triggered it and the rule's message.
 */
import { badge, el } from './dom';
import { JobStatus, RuleEvaluationStatus } from './models';

/** The detail key under which a job with rules lists their statuses. */
export const RULES_DETAIL = 'DebugRuleEvaluationStatuses';

/** The debugger's keys of a job's details, shown by the rules section instead of the summary. */
export const DEBUGGER_DETAILS = [RULES_DETAIL, 'DebugRuleConfigurations', 'RuleEvaluationJobs', 'DebugHookConfig'];

/** Where the job's tensors are written, from its DebugHookConfig detail (SageMaker's shape). */
export function tensorsPath(details: Record<string, unknown>): string | null {
  const config = details.DebugHookConfig as { S3OutputPath?: unknown } | undefined;
  return typeof config?.S3OutputPath === 'string' ? config.S3OutputPath : null;
}

/** Whether an evaluation can still change. */
export function ruleActive(rule: RuleEvaluationStatus): boolean {
  return rule.rule_evaluation_status === JobStatus.InProgress;
}

/** One entry per rule: name, status and the triggering step, then the rule's message. */
export function ruleList(rules: RuleEvaluationStatus[]): HTMLUListElement {
  const list = el('ul', 'jp-JupyterExt-rows jp-JupyterExt-ruleList');
  for (const rule of rules) {
    const item = el('li', 'jp-JupyterExt-rule');
    item.dataset.rule = rule.rule_configuration_name;
    item.dataset.status = rule.rule_evaluation_status;
    item.title = `Rule job ${rule.rule_evaluation_job_name}`;
    const step = rule.triggered_step === null ? '' : `step ${rule.triggered_step}`;
    const title = el('div', 'jp-JupyterExt-ruleTitle');
    title.append(
      el('span', 'jp-JupyterExt-name', rule.rule_configuration_name),
      badge(rule.rule_evaluation_status),
      el('span', 'jp-JupyterExt-ruleStep', step)
    );
    item.append(title, el('div', 'jp-JupyterExt-ruleMessage', rule.status_details));
    list.append(item);
  }
  return list;
}
