"""Typed records every surface shares: the Python API returns them, the CLI prints them
as JSON, the REST API serves them. One contract, defined once.

Times are timezone-aware UTC datetimes; `to_dict()` gives JSON-ready values (ISO 8601).
"""

from __future__ import annotations

from .base import ACTIVE_STATUSES, JOB_TYPES, TERMINAL_STATUSES, timestamp
from .jobs import (  # noqa: F401
    ErrorResponse, GetLogRequest, JobDescription, JobSummary, ListJobsRequest, ListJobsResponse, ListMetricsRequest, ListMetricsResponse, LogChunk, LogLine, MetricPoint, OpenArtifactRequest, OpenArtifactResponse, PrimaryMetric, StatusTransition, StopJobRequest,
)
from .experiments import (  # noqa: F401
    ComparedMetric, ComparedRun, CompareRunsRequest, ConfusionMatrix, ExperimentSummary, LeaderboardRequest, LeaderboardResponse, LeaderboardRow, ListExperimentsResponse, PrecisionRecallCurve, RocCurve, RunArtifact, RunCharts, RunComparison, RunDescription, TrialSummary,
)
from .lifecycle import (  # noqa: F401
    LifecycleConfig, LifecycleRun, LifecycleStatus, LifecycleStatusRequest, StartLifecycleRunRequest,
)
from .debugger import (  # noqa: F401
    ListRuleEvaluationsResponse, RuleEvaluationStatus,
)
from .endpoints import (  # noqa: F401
    EndpointDescription, EndpointMonitoring, InstanceDescription, InvokeEndpointRequest, InvokeEndpointResponse, ListEndpointsResponse, MonitoringExecutionSummary, MonitoringScheduleSummary, MonitoringViolation, VariantDescription,
)
from .registry import (  # noqa: F401
    APPROVAL_STATUSES, ListModelPackageGroupsResponse, ListModelPackagesRequest, ListModelPackagesResponse, ModelLineage, ModelPackageDescription, ModelPackageGroupDescription, UpdateModelApprovalRequest,
)
from .pipelines import (  # noqa: F401
    ListPipelineExecutionsResponse, ListPipelinesResponse, PipelineExecutionGraph, PipelineExecutionSummary, PipelineStepNode, PipelineSummary,
)
from .automl import (  # noqa: F401
    AutoMLCandidate, AutoMLJobDescription, AutoMLNotebook, DataProfile, OpenNotebookResponse, ProfiledColumn,
)
from .tuning import (  # noqa: F401
    TuningJobDescription, TuningParameterRange, TuningTrial,
)
from .labeling import (  # noqa: F401
    LABELING_TASK_TYPES, LabelingJobProgress, LabelingTask, LabelingTaskRequest, NextLabelingTaskResponse, SkipLabelingItemRequest, SubmitLabelingAnswerRequest, UndoLabelingAnswerRequest,
)
from .spark import (  # noqa: F401
    LivyBatchSummary, LivyLog, LivyLogRequest, LivyOverview, LivySessionSummary,
)

__all__ = [
    "JOB_TYPES",
    "ACTIVE_STATUSES",
    "TERMINAL_STATUSES",
    "JobSummary",
    "PrimaryMetric",
    "ListJobsRequest",
    "ListJobsResponse",
    "JobDescription",
    "StatusTransition",
    "MetricPoint",
    "LogLine",
    "LogChunk",
    "GetLogRequest",
    "ListMetricsRequest",
    "ListMetricsResponse",
    "StopJobRequest",
    "ErrorResponse",
    "OpenArtifactRequest",
    "OpenArtifactResponse",
    "ExperimentSummary",
    "ListExperimentsResponse",
    "LeaderboardRequest",
    "LeaderboardRow",
    "LeaderboardResponse",
    "RunArtifact",
    "RunDescription",
    "TrialSummary",
    "CompareRunsRequest",
    "ComparedMetric",
    "ComparedRun",
    "RunComparison",
    "RocCurve",
    "PrecisionRecallCurve",
    "ConfusionMatrix",
    "RunCharts",
    "LifecycleRun",
    "LifecycleStatus",
    "StartLifecycleRunRequest",
    "LifecycleStatusRequest",
    "LifecycleConfig",
    "RuleEvaluationStatus",
    "ListRuleEvaluationsResponse",
    "InstanceDescription",
    "VariantDescription",
    "EndpointDescription",
    "ListEndpointsResponse",
    "InvokeEndpointRequest",
    "InvokeEndpointResponse",
    "LivySessionSummary",
    "LivyBatchSummary",
    "LivyOverview",
    "LivyLogRequest",
    "LivyLog",
    "MonitoringViolation",
    "MonitoringExecutionSummary",
    "MonitoringScheduleSummary",
    "EndpointMonitoring",
    "APPROVAL_STATUSES",
    "ModelPackageGroupDescription",
    "ListModelPackageGroupsResponse",
    "ModelPackageDescription",
    "ListModelPackagesRequest",
    "ListModelPackagesResponse",
    "UpdateModelApprovalRequest",
    "ModelLineage",
    "PipelineExecutionSummary",
    "PipelineSummary",
    "ListPipelinesResponse",
    "ListPipelineExecutionsResponse",
    "PipelineStepNode",
    "PipelineExecutionGraph",
    "TuningParameterRange",
    "TuningTrial",
    "TuningJobDescription",
    "AutoMLCandidate",
    "AutoMLNotebook",
    "ProfiledColumn",
    "DataProfile",
    "AutoMLJobDescription",
    "OpenNotebookResponse",
    "LABELING_TASK_TYPES",
    "LabelingTask",
    "LabelingTaskRequest",
    "NextLabelingTaskResponse",
    "SubmitLabelingAnswerRequest",
    "SkipLabelingItemRequest",
    "UndoLabelingAnswerRequest",
    "LabelingJobProgress",
    "API_RECORDS",
    "timestamp",
]

API_RECORDS = (
    PrimaryMetric, JobSummary, ListJobsRequest, ListJobsResponse, StatusTransition,
    JobDescription, MetricPoint, ListMetricsRequest, ListMetricsResponse, LogLine, GetLogRequest,
    LogChunk, StopJobRequest, ErrorResponse, OpenArtifactRequest, OpenArtifactResponse, ExperimentSummary, ListExperimentsResponse, LeaderboardRequest,
    LeaderboardRow, LeaderboardResponse, RunArtifact, RunDescription,
    CompareRunsRequest, ComparedMetric, ComparedRun, RunComparison, RocCurve, PrecisionRecallCurve, ConfusionMatrix, RunCharts,
    LifecycleRun, LifecycleStatus, LifecycleStatusRequest, StartLifecycleRunRequest,
    RuleEvaluationStatus, ListRuleEvaluationsResponse, InstanceDescription, VariantDescription,
    EndpointDescription, ListEndpointsResponse, InvokeEndpointRequest, InvokeEndpointResponse,
    LivySessionSummary, LivyBatchSummary, LivyOverview, LivyLogRequest, LivyLog,
    MonitoringViolation, MonitoringExecutionSummary, MonitoringScheduleSummary, EndpointMonitoring,
    ModelPackageGroupDescription, ListModelPackageGroupsResponse, ModelPackageDescription, ListModelPackagesRequest,
    ListModelPackagesResponse, UpdateModelApprovalRequest, ModelLineage,
    PipelineExecutionSummary, PipelineSummary, ListPipelinesResponse, ListPipelineExecutionsResponse, PipelineStepNode,
    PipelineExecutionGraph, TuningParameterRange, TuningTrial, TuningJobDescription,
    AutoMLCandidate, AutoMLNotebook, ProfiledColumn, DataProfile, AutoMLJobDescription, OpenNotebookResponse,
    LabelingTask, LabelingTaskRequest, NextLabelingTaskResponse, SubmitLabelingAnswerRequest, SkipLabelingItemRequest,
    UndoLabelingAnswerRequest, LabelingJobProgress,
)
