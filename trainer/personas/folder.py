"""A personas folder loaded once, each file re-checked only when it changes.

The app asks for the folder's personas on every page load and every call start;
``PersonaFolder.load()`` then only lists the folder and stats each file, and
re-reads and re-validates a file only when its modification time, size or inode
changed (a file saved by the studio is replaced, so it always counts as changed)::

    folder = PersonaFolder(Path("personas"), rubric)
    found = folder.load()          # a PersonaSet, as load_personas(...) returns
"""

from __future__ import annotations

import threading
from pathlib import Path

from trainer.personas.loading import Checked, PersonaSet, check_file, load_personas
from trainer.rubric.model import Rubric

Stamp = tuple[int, int, int]
"""What says a file is unchanged: (mtime_ns, size, inode)."""


class PersonaFolder:
    """The personas of one folder, checked against one rubric; safe to share between threads."""

    def __init__(self, folder: Path, rubric: Rubric | None = None) -> None:
        self.folder = Path(folder)
        self.rubric = rubric
        self._checked: dict[Path, tuple[Stamp, Checked]] = {}
        self._lock = threading.Lock()
        self.reads = 0
        """How many files have been read and validated (for tests and logs)."""

    def load(self) -> PersonaSet:
        """The folder as it is now (an empty set when the folder does not exist)."""
        if not self.folder.is_dir():
            return PersonaSet()
        with self._lock:
            result = load_personas(self.folder, rubric=self.rubric, check=self._check)
            present = {p.resolve() for p in result.sources.values()}
            present |= {Path(p.file).resolve() for p in result.problems}
            for gone in set(self._checked) - present:
                del self._checked[gone]
            return result

    def _check(self, path: Path, rubric: Rubric | None) -> Checked:
        key = path.resolve()
        try:
            info = path.stat()
        except OSError:
            return check_file(path, rubric)  # reports why it cannot be read
        stamp = (info.st_mtime_ns, info.st_size, info.st_ino)
        cached = self._checked.get(key)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        checked = check_file(path, rubric)
        self.reads += 1
        self._checked[key] = (stamp, checked)
        return checked
