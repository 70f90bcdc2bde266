/**
 * The debugger rules of a training job, for its detail view: each rule's evaluation
 * status, the step that triggered it and the rule's message.
 */
import { badge, el } from './dom';
import { RuleEvaluationStatus } from './models';

/** The detail key under which a job with rules lists their statuses. */
export const RULES_DETAIL = 'DebugRuleEvaluationStatuses';

/** Whether an evaluation can still change. */
export function ruleActive(rule: RuleEvaluationStatus): boolean {
  return rule.rule_evaluation_status === 'InProgress';
}

/** One row per rule: name, status, triggering step, message. */
export function ruleTable(rules: RuleEvaluationStatus[]): HTMLTableElement {
  const element = el('table', 'jp-JupyterExt-table jp-JupyterExt-grid jp-JupyterExt-ruleTable');
  const head = element.createTHead().insertRow();
  for (const title of ['Rule', 'Status', 'Step', 'Message']) {
    head.append(el('th', '', title));
  }
  const body = element.createTBody();
  for (const rule of rules) {
    const row = body.insertRow();
    row.dataset.rule = rule.rule_configuration_name;
    row.dataset.status = rule.rule_evaluation_status;
    row.title = rule.rule_evaluation_job_name;
    row.insertCell().textContent = rule.rule_configuration_name;
    row.insertCell().append(badge(rule.rule_evaluation_status));
    row.insertCell().textContent = rule.triggered_step === null ? '' : String(rule.triggered_step);
    row.insertCell().textContent = rule.status_details;
  }
  return element;
}
