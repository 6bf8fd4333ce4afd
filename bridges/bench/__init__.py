"""The edit benchmark: the :class:`Believer` protocol, its agents, edit requests, evaluation, summary."""

from .believers import BayesBeliever, LMBeliever, PostEditBeliefs, TaughtRequest, Teacher, TeacherSettings
from .evaluate import CASES, EvaluateConfig, edit_seed, evaluate, total_variation
from .knowledge import knowledge
from .protocol import (BatchEditor, Believer, EditedList, EditRequest, Generator, MentionPredictor, StepTracer,
                       edit_all)
from .requests import check_request_supply, implication_supply, request_capacity, sample_requests
from .summary import GRADED, GROUPS, interval, slope_through_origin, summarise

__all__ = ["CASES", "GRADED", "GROUPS", "BatchEditor", "BayesBeliever", "Believer", "EditRequest", "EditedList",
           "EvaluateConfig", "Generator", "LMBeliever", "MentionPredictor", "PostEditBeliefs", "StepTracer", "TaughtRequest",
           "Teacher", "TeacherSettings", "check_request_supply", "edit_all", "edit_seed", "evaluate",
           "implication_supply", "interval", "knowledge", "request_capacity", "sample_requests", "slope_through_origin",
           "summarise", "total_variation"]
