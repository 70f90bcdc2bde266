"""`smdebug.rules`: the Rule base of custom rules, and `invoke_rule`."""

from __future__ import annotations

from jupyter_ext.debugger.rules import Rule, invoke_rule

__all__ = ["Rule", "invoke_rule"]
