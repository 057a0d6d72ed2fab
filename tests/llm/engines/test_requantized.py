"""The bundled GGUF's Q8_0 copy: made once, used by llama.cpp, same model to rounding."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from trainer.llm.engines import requantized
from trainer.llm.engines.bundled import find_gguf
from trainer.llm.llamacpp import llama_cpp_available

needs_llama_cpp = pytest.mark.skipif(not llama_cpp_available(), reason="llama-cpp-python")
Q8_0, Q4_1 = 7, 3  # llama.cpp's file types (general.file_type)
TEXT = (
    "Agent: Thank you for calling Northwind Broadband, this is Priya, how can I help?\n"
    "Customer: My internet has been down since Monday and nobody has come out to fix it. This is "
    "the third time I'm calling and every time I'm told an engineer will ring me back.\n"
    "Agent: I'm really sorry, that's not good enough. Can I take your account number so I can "
    "see what happened on the last two calls?\nCustomer: It's NB-20417. I've given it every time.\n"
    "Agent: Thank you. I can see two cancelled visits. I'm booking an engineer for Thursday "
    "morning between eight and twelve, and I'll call you myself on Wednesday to confirm it.\n"
    "Customer: Fine. But if nobody turns up on Thursday I'm cancelling the contract."
)


def _file_type(path: str) -> int:
    from llama_cpp import Llama

    llm = Llama(model_path=path, vocab_only=True, verbose=False)
    try:
        return int(llm.metadata["general.file_type"])
    finally:
        llm.close()


def test_a_gguf_that_is_not_the_bundled_one_is_run_as_it_is(tmp_path):
    mine = tmp_path / "mine.gguf"
    mine.write_bytes(b"GGUF")
    assert requantized.runnable_gguf(str(mine), tmp_path) == str(mine)
    assert not list(tmp_path.rglob("*q8_0*"))


def test_the_copy_can_be_switched_off(monkeypatch, tmp_path):
    monkeypatch.setenv("FRONTLINE_BUNDLED_Q8", "0")
    bundled = str(find_gguf().path)
    assert requantized.runnable_gguf(bundled, tmp_path) == bundled


def test_an_unwritable_cache_falls_back_to_the_shipped_file_with_a_warning(tmp_path, caplog):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    bundled = str(find_gguf().path)
    with caplog.at_level(logging.WARNING, logger="trainer.llm.engines.requantized"):
        assert requantized.runnable_gguf(bundled, blocker) == bundled
    assert "Q8_0 copy" in caplog.text


@needs_llama_cpp
def test_the_bundled_model_is_requantized_once_to_q8_0_and_reads_the_same(tmp_path):
    from llama_cpp import Llama

    bundled = str(find_gguf().path)
    copy = requantized.runnable_gguf(bundled, tmp_path)
    assert copy != bundled and copy.startswith(str(tmp_path))
    assert _file_type(copy) == Q8_0 and _file_type(bundled) == Q4_1
    made = (tmp_path / "models").stat().st_mtime_ns, sorted(p.name for p in tmp_path.rglob("*"))
    assert requantized.runnable_gguf(bundled, tmp_path) == copy  # found, not made again
    assert not [p for p in tmp_path.rglob(".*tmp*")]  # no half-written file left
    assert made[1] == sorted(p.name for p in tmp_path.rglob("*"))

    scores = []
    for path in (bundled, copy):  # next-token scores at every position of the same text
        llm = Llama(model_path=path, n_ctx=512, logits_all=True, verbose=False)
        tokens = llm.tokenize(TEXT.encode())[:200]
        llm.eval(tokens)
        scores.append(np.array(llm.scores[: len(tokens)]))
        llm.close()
    agree = (scores[0].argmax(-1) == scores[1].argmax(-1)).mean()
    assert agree >= 0.85  # measured 0.94 over 900 tokens of a persona file
