"""The plain-torch MiniLM against transformers' AutoModel on the bundled model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from trainer.scoring import minilm
from trainer.scoring.embeddings import _TransformersEncoder, bundled_model_path

SENTENCES = [
    "Hi.",
    "I'm really sorry to hear that, it sounds incredibly frustrating.",
    "Can I take your account number and postcode so I can look into this?",
    "Calm down, sir, there's nothing I can do about it — it's policy.",
    "Ich möchte mit jemandem sprechen, der meine Sprache spricht! 😡",
    "word " * 300,  # longer than max_length: truncated the same way
]


@pytest.fixture(scope="module")
def folder() -> Path:
    return bundled_model_path()


def test_vectors_match_transformers(folder):
    ours = minilm.MiniLM(folder).embed(SENTENCES, max_length=128)
    theirs = _TransformersEncoder(folder, "cpu").embed(SENTENCES, max_length=128)
    assert ours.shape == (len(SENTENCES), 384)
    torch.testing.assert_close(ours, theirs, atol=1e-5, rtol=1e-4)


def test_padding_does_not_change_a_vector(folder):
    model = minilm.MiniLM(folder)
    alone = model.embed([SENTENCES[1]])
    batched = model.embed(SENTENCES[:3])[1:2]  # padded to the longest of three
    torch.testing.assert_close(alone, batched, atol=1e-5, rtol=1e-4)
    assert torch.allclose(alone.norm(dim=1), torch.ones(1))


def test_tokens_match_the_transformers_tokenizer(folder):
    from transformers import AutoTokenizer

    ids, mask = minilm.MiniLM(folder).tokenize(SENTENCES, max_length=128)
    ref = AutoTokenizer.from_pretrained(str(folder))(
        SENTENCES, padding=True, truncation=True, max_length=128, return_tensors="pt"
    )
    assert torch.equal(ids, ref["input_ids"])
    assert torch.equal(mask.long(), ref["attention_mask"])


def test_other_architectures_are_left_to_transformers(folder, tmp_path):
    assert minilm.unsupported(folder) is None
    config = json.loads((folder / "config.json").read_text())
    (tmp_path / "config.json").write_text(json.dumps({**config, "model_type": "roberta"}))
    assert "not 'bert'" in minilm.unsupported(tmp_path)
    with pytest.raises(ValueError, match="not 'bert'"):
        minilm.MiniLM(tmp_path)
