"""The built-in edit methods, registered in one place with what each can do.

A registration carries the method's capabilities (:class:`lm.EditMethod`), so a benchmark drives any
method without knowing its name: ``batch`` (trained many at once by :func:`lm.edit_many`), ``prefix``
(in-context: the text read before every prompt), ``teacher`` (reads a teacher's post-edit beliefs on each
request), ``counterpart`` (the rational agent's update that says what the edit says), ``many`` (makes
many independent edits itself) and ``key_layers`` (reads the model's key statistics of those layers).
"""

from __future__ import annotations

from ._batch import delta_weights, lora_weights
from ._edit import (ContextEditConfig, FTEditConfig, LoraEditConfig, RationalEditConfig, context_edit,
                    context_prefix, ft_edit, lora_edit, rational_edit, register_edit_method)
from ._locate import (MemitConfig, MemitRationalConfig, RomeConfig, key_layers, memit_edit, memit_many,
                      memit_rational_edit, memit_rational_many, rome_edit, rome_many)

__all__: list[str] = []


def stated_k_times(config: ContextEditConfig) -> tuple[str, dict, str]:
    """To the rational agent, a prefix stating each request k times is k more mentions of it: the rule, its
    options, and a short label (``bayes:observe(w=k)`` in a table)."""
    return "observe", {"mentions": config.repeats}, f"w={config.repeats}"


register_edit_method("lora", LoraEditConfig, batch=lora_weights)(lora_edit)
register_edit_method("rational", RationalEditConfig, batch=lora_weights, teacher=True)(rational_edit)
register_edit_method("ft", FTEditConfig, batch=delta_weights)(ft_edit)
register_edit_method("context", ContextEditConfig, prefix=context_prefix, counterpart=stated_k_times)(context_edit)
register_edit_method("rome", RomeConfig, many=rome_many, key_layers=key_layers)(rome_edit)
register_edit_method("memit", MemitConfig, many=memit_many, key_layers=key_layers)(memit_edit)
register_edit_method("memit_rational", MemitRationalConfig, many=memit_rational_many, teacher=True,
                     key_layers=key_layers)(memit_rational_edit)
