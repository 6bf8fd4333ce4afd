"""A run: the config (strictly validated), the pipeline of stages and their artefacts, and the report."""

from .config import EvaluateSettings, PipelineError, ReportSettings, RunConfig, Settings, config_to_toml, load_config
from .pipeline import STAGES, run_pipeline, run_stage
from .report import render_table, write_plots
from .stages import load_agents, load_requests

__all__ = ["STAGES", "EvaluateSettings", "PipelineError", "ReportSettings", "RunConfig", "Settings", "config_to_toml",
           "load_agents", "load_config", "load_requests", "render_table", "run_pipeline", "run_stage", "write_plots"]
