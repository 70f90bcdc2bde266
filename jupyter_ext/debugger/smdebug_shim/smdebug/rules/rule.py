"""`smdebug.rules.rule`: where custom rules written for SageMaker import `Rule` from."""

from __future__ import annotations

from jupyter_ext.debugger.rules import Rule

__all__ = ["Rule"]
