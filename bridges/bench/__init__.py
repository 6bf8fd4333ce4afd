"""The edit benchmark: the :class:`Believer` protocol, its agents, edit requests, evaluation, summary."""

from .believers import BayesBeliever, LMBeliever, PostEditBeliefs, TaughtRequest, Teacher, TeacherSettings
from .evaluate import CASES, EvaluateConfig, edit_seed, evaluate, total_variation
from .knowledge import knowledge
from .protocol import (BatchEditor, Believer, EditedList, EditRequest, Generator, JointEditor, MentionPredictor,
                       StepTracer, Taught, edit_all)
from .requests import check_request_supply, implication_supply, request_capacity, sample_requests, tuning_people
from .sequential import SequentialConfig, draw_sequence, order_effect, run_sequence
from .summary import GRADED, GROUPS, interval, slope_through_origin, summarise

__all__ = ["CASES", "GRADED", "GROUPS", "BatchEditor", "BayesBeliever", "Believer", "EditRequest", "EditedList",
           "EvaluateConfig", "Generator", "JointEditor", "LMBeliever", "MentionPredictor", "PostEditBeliefs",
           "SequentialConfig", "StepTracer", "Taught", "TaughtRequest", "Teacher", "TeacherSettings",
           "check_request_supply", "draw_sequence", "edit_all", "edit_seed", "evaluate", "implication_supply", "interval",
           "knowledge", "order_effect", "request_capacity", "run_sequence", "sample_requests", "slope_through_origin",
           "summarise", "total_variation", "tuning_people"]
