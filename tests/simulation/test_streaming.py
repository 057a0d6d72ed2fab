"""The streaming half: a planned step and a backend -> the pieces shown and the reply kept."""

from __future__ import annotations

from trainer.llm.base import GenerationParams
from trainer.llm.fake import FakeBackend
from trainer.llm.scripted import ScriptedBackend
from trainer.simulation.state import start_state
from trainer.simulation.step import step
from trainer.simulation.streaming import Reply, ReplyStream, reply_pieces

PARAMS = GenerationParams(max_new_tokens=48)


def _plan(persona, line="When did it start?", signals=frozenset()):
    return step(persona, start_state(persona, "call-1"), line, signals)


def test_the_stream_reads_text_and_state_from_the_generators_return(persona):
    state = start_state(persona, "call-1")

    def pieces():
        yield "Hel"
        yield "lo. "
        return Reply(text="Hello.", state=state)

    stream = ReplyStream(pieces())
    assert stream.state is None
    assert list(stream) == ["Hel", "lo. "]
    assert (stream.text, stream.shown, stream.state) == ("Hello.", "Hello. ", state)
    assert not stream.revised  # "Hello." is what was shown, stripped
    assert stream.finish() is state
    assert list(stream) == [] and stream.text == "Hello."  # a finished stream stays finished


def test_no_model_plays_the_fallback_once(persona):
    plan = _plan(persona)
    stream = ReplyStream(reply_pieces(plan, persona, ScriptedBackend(), params=PARAMS))
    assert list(stream) == [plan.fallback]
    state = stream.finish()
    assert state == plan.with_reply(plan.fallback, "scripted")


def test_a_model_reply_passes_the_guard_and_is_kept(persona):
    plan = _plan(persona)
    fake = FakeBackend([" It started on Monday, every evening about seven."])
    stream = ReplyStream(reply_pieces(plan, persona, fake, params=PARAMS))
    assert "".join(stream) == "It started on Monday, every evening about seven."
    assert stream.finish() == plan.with_reply(stream.text, "model")
    assert fake.prompts == [plan.prompt]
    assert fake.calls[0].params.stop == ("\n", "Agent:", "AGENT:")


def test_nothing_runs_before_the_stream_is_iterated(persona):
    fake = FakeBackend(["unused"])
    ReplyStream(reply_pieces(_plan(persona), persona, fake, params=PARAMS))
    assert fake.calls == []
