"""The edit benchmark: the :class:`Believer` protocol, its agents, edit requests, evaluation, summary."""

from .believers import BayesBeliever, LMBeliever
from .evaluate import CASES, EvaluateConfig, edit_seed, evaluate
from .protocol import Believer, EditRequest
from .requests import RequestConfig, sample_requests
from .summary import GROUPS, interval, summarise

__all__ = ["CASES", "GROUPS", "BayesBeliever", "Believer", "EditRequest", "EvaluateConfig", "LMBeliever",
           "RequestConfig", "edit_seed", "evaluate", "interval", "sample_requests", "summarise"]
