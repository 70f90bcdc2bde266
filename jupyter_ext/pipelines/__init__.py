"""ML pipelines (SageMaker's `sagemaker.workflow` names): parameters, steps wired by their
properties, conditions, caching and retries; an execution is a job of type Pipeline whose
program runs the steps as child jobs.

    train = TrainingStep("Train", estimator=est, inputs={"train": prep.properties.ProcessingOutputConfig
                                                           .Outputs["train"].S3Output.S3Uri})
    pipeline = Pipeline("churn", parameters=[threshold], steps=[prep, train, check])
    pipeline.upsert()
    execution = pipeline.start(parameters={"Threshold": 0.8})
    execution.wait(); execution.list_steps()
"""

from __future__ import annotations

from . import records as _records  # noqa: F401 - the pipeline tables' migrations
from .conditions import (
    Condition, ConditionEquals, ConditionGreaterThan, ConditionGreaterThanOrEqualTo, ConditionIn, ConditionLessThan,
    ConditionLessThanOrEqualTo, ConditionNot, ConditionOr,
)
from .execution import PipelineExecution
from .expressions import (
    ExecutionVariables, Join, JsonGet, Parameter, ParameterBoolean, ParameterFloat, ParameterInteger,
    ParameterString, PipelineVariable, Properties, PropertyFile,
)
from .job_steps import ProcessingStep, PythonStep, TrainingStep, TuningStep
from .model_steps import ModelStep, RegisterModel, StepTransformer, TransformInput, TransformStep
from .pipeline import (
    Pipeline, PipelineExperimentConfig, delete_pipeline, describe_pipeline, list_pipeline_executions, list_pipelines,
    start_pipeline_execution, upsert_pipeline,
)
from .steps import (
    CacheConfig, ConditionStep, FailStep, RetryPolicy, SageMakerJobExceptionTypeEnum, SageMakerJobStepRetryPolicy,
    Step, StepExceptionTypeEnum, StepRetryPolicy,
)

__all__ = [
    "CacheConfig", "Condition", "ConditionEquals", "ConditionGreaterThan", "ConditionGreaterThanOrEqualTo",
    "ConditionIn", "ConditionLessThan", "ConditionLessThanOrEqualTo", "ConditionNot", "ConditionOr", "ConditionStep",
    "ExecutionVariables", "FailStep", "Join", "JsonGet", "ModelStep", "Parameter", "ParameterBoolean",
    "ParameterFloat", "ParameterInteger", "ParameterString", "Pipeline", "PipelineExecution",
    "PipelineExperimentConfig", "PipelineVariable", "ProcessingStep", "Properties", "PropertyFile", "PythonStep",
    "RegisterModel", "RetryPolicy", "SageMakerJobExceptionTypeEnum", "SageMakerJobStepRetryPolicy", "Step",
    "StepExceptionTypeEnum", "StepRetryPolicy", "StepTransformer", "TrainingStep", "TransformInput", "TransformStep", "TuningStep",
    "delete_pipeline", "describe_pipeline", "list_pipeline_executions", "list_pipelines", "start_pipeline_execution", "upsert_pipeline",
]
