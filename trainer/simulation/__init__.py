"""The practice call: state, beats, prompt, in-character guard, and the simulator."""

from trainer.simulation.call import CallEndedError, ReplyStream, Simulator
from trainer.simulation.prompt import STRATEGIES, Strategy
from trainer.simulation.state import CallState, Outcome, TurnRecord, end_by_agent

__all__ = [
    "STRATEGIES",
    "CallEndedError",
    "CallState",
    "Outcome",
    "ReplyStream",
    "Simulator",
    "Strategy",
    "TurnRecord",
    "end_by_agent",
]
