"""How a practice call ends: the outcome names, in one place.

Every module that names an outcome (the call state, persona beats, the fidelity
harness, the app) imports them from here.
"""

from __future__ import annotations

from typing import Literal, get_args

Outcome = Literal["resolved", "escalated", "hung_up", "ended_by_agent", "abandoned", "ongoing"]
OUTCOMES: tuple[Outcome, ...] = get_args(Outcome)
"""Every outcome, in the order reports list them. ``abandoned``: the trainee started another
call in the app while this one went on (saved with its scorecard so far)."""
ENDED: tuple[Outcome, ...] = tuple(o for o in OUTCOMES if o != "ongoing")

BeatEnding = Literal["hang_up", "escalated"]
"""What a persona beat may do to the call (``end_call:``): the caller's action."""
BEAT_ENDINGS: dict[BeatEnding, Outcome] = {"hang_up": "hung_up", "escalated": "escalated"}
"""The outcome each beat action leads to."""
