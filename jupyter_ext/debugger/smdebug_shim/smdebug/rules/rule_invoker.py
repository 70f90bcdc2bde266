"""`smdebug.rules.rule_invoker`: evaluating a rule over a trial's steps."""

from __future__ import annotations

from jupyter_ext.debugger.rules import invoke_rule

__all__ = ["invoke_rule"]
