"""The edit benchmark: the :class:`Believer` protocol, its agents, edit requests, evaluation, summary."""

from .believers import BayesBeliever, LMBeliever, TaughtRequest, Teacher, TeacherSettings
from .evaluate import CASES, EvaluateConfig, edit_seed, evaluate, total_variation
from .knowledge import knowledge
from .protocol import Believer, EditedList, EditRequest, edit_all
from .requests import RequestConfig, sample_requests
from .summary import GRADED, GROUPS, interval, slope_through_origin, summarise

__all__ = ["CASES", "GRADED", "GROUPS", "BayesBeliever", "Believer", "EditRequest", "EditedList", "EvaluateConfig",
           "LMBeliever", "RequestConfig", "TaughtRequest", "Teacher", "TeacherSettings", "edit_all", "edit_seed",
           "evaluate", "interval", "knowledge", "sample_requests", "slope_through_origin", "summarise",
           "total_variation"]
