"""Persona fidelity: scripted trainees call every persona; metrics say how real the caller is.

``strategies`` (the scripted trainees; their lines in ``lines``) -> ``run``
(persona x strategy x seeds on a :class:`~trainer.simulation.Simulator`) ->
``replies`` (each reply checked) ->
``metrics`` (the numbers) -> ``check`` (thresholds; ``check_cli``: ``personas check``) and
``report`` (``docs/fidelity/``).
"""

from trainer.fidelity.check import PersonaCheck, evaluate, rehearse_persona, render_check
from trainer.fidelity.check_cli import add_check_arguments, check_main
from trainer.fidelity.metrics import Fidelity, group, mood_curve, summarise
from trainer.fidelity.replies import ReplyCheck, assess_call
from trainer.fidelity.run import CallRun, run_call, run_matrix
from trainer.fidelity.strategies import (
    TRAINEE_STRATEGIES,
    AgentContext,
    AgentLine,
    TraineeStrategy,
    get_strategy,
)

__all__ = [
    "TRAINEE_STRATEGIES",
    "AgentContext",
    "AgentLine",
    "CallRun",
    "Fidelity",
    "PersonaCheck",
    "ReplyCheck",
    "TraineeStrategy",
    "add_check_arguments",
    "assess_call",
    "check_main",
    "rehearse_persona",
    "evaluate",
    "get_strategy",
    "group",
    "mood_curve",
    "render_check",
    "run_call",
    "run_matrix",
    "summarise",
]
