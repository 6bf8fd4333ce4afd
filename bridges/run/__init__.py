"""A run: the config (one dataclass per section, validated once), the pipeline of stages and their artefacts,
the evaluate stage's processes, and the report.

Layout: :mod:`~bridges.run.config` (sections, validation), :mod:`~bridges.run.stage` (what a stage is),
:mod:`~bridges.run.stages` (one module per stage, in order), :mod:`~bridges.run.pipeline` (running them),
:mod:`~bridges.run.pool` (the evaluate stage's processes), :mod:`~bridges.run.lock`, :mod:`~bridges.run.report`.
"""

from .config import (FitConfig, PipelineError, ReportConfig, RunConfig, RunSection, Settings, TrainSection, WorldSection,
                     config_to_toml, load_config)
from .pipeline import run_pipeline, run_stage, stage_names
from .report import render_table, write_plots
from .stages._shared import load_agents, load_posterior, load_requests

#: The stages' names, in pipeline order.
STAGES = stage_names()

__all__ = ["STAGES", "FitConfig", "PipelineError", "ReportConfig", "RunConfig", "RunSection", "Settings", "TrainSection",
           "WorldSection", "config_to_toml", "load_agents", "load_config", "load_posterior", "load_requests",
           "render_table", "run_pipeline", "run_stage", "write_plots"]
