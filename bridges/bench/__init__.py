"""The edit benchmark: the :class:`Believer` protocol, its agents, edit requests, evaluation, summary."""

from .believers import BayesBeliever, DatabaseBeliever, LMBeliever, PostEditBeliefs, TaughtRequest, Teacher, TeacherSettings
from .evaluate import CASES, EvaluateConfig, edit_seed, evaluate, total_variation
from .in_context import InContextConfig, belief_formation, conditional_coherence
from .knowledge import knowledge
from .protocol import (BatchEditor, Believer, Conditioner, EditedList, EditRequest, Generator, JointEditor, MentionPredictor,
                       Reader, StepTracer, Taught, edit_all, top)
from .requests import check_request_supply, implication_supply, request_capacity, sample_requests, tuning_people
from .sequential import SequentialConfig, draw_sequence, order_effect, run_sequence
from .summary import GRADED, GROUPS, interval, slope_through_origin, summarise

__all__ = ["CASES", "GRADED", "GROUPS", "BatchEditor", "BayesBeliever", "Believer", "Conditioner", "DatabaseBeliever", "EditRequest", "EditedList",
           "EvaluateConfig", "Generator", "InContextConfig", "JointEditor", "LMBeliever", "MentionPredictor", "PostEditBeliefs", "Reader",
           "SequentialConfig", "StepTracer", "Taught", "TaughtRequest", "Teacher", "TeacherSettings",
           "belief_formation", "check_request_supply", "conditional_coherence", "draw_sequence", "edit_all", "edit_seed", "evaluate", "implication_supply", "interval",
           "knowledge", "order_effect", "request_capacity", "run_sequence", "sample_requests", "slope_through_origin",
           "summarise", "top", "total_variation", "tuning_people"]
