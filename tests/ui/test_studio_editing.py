"""The studio's editing: plain-English syntax errors that do not hide the rest, line
marks for the editor, Duplicate of the selected file, and saved files' mode."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from trainer.ui import render
from trainer.ui.persona_files import duplicate, save_persona, validate
from trainer.ui.studio import TEMPLATE


def test_a_syntax_error_in_plain_english_still_lists_the_other_problems() -> None:
    text = TEMPLATE.replace("summary: One line", "  summary: One line").replace(
        "difficulty: medium", "difficulty: impossible"
    )
    persona, problems = validate(text)
    assert persona is None
    shown = [(p.line, p.field, p.message) for p in problems]
    assert (3, "", "invalid YAML: this line is indented more than the one above") in shown
    assert any(line == 4 and field == "difficulty" for line, field, _ in shown)
    assert not any("mapping values" in m or field == "summary" for _, field, m in shown)


def test_problems_mark_their_lines_in_the_editor() -> None:
    _, problems = validate(TEMPLATE.replace("summary: One line", "  summary: One line"))
    html = render.problems_html(problems, "persona-editor")
    assert "#persona-editor .cm-content > .cm-line:nth-child(3)" in html
    assert ".cm-gutterElement:nth-child(4)" in html  # the gutter's first child is hidden
    assert "</style><b>" not in render.problems_html(
        [type(problems[0])("e", 2, "", "bad </style><b>")], "persona-editor"
    )


def test_duplicate_copies_the_selected_file_not_the_editor(tmp_path: Path) -> None:
    (tmp_path / "alpha.yaml").write_text("id: alpha\nname: Al\n", encoding="utf-8")
    (tmp_path / "alpha-copy.yaml").write_text("id: alpha-copy\n", encoding="utf-8")
    copy = duplicate("id: other\nname: Editor text\n", tmp_path, "alpha.yaml")
    assert copy == "id: alpha-copy-2\nname: Al\n"
    assert duplicate("id: other\n", tmp_path, None) == "id: other-copy\n"


def test_saved_files_keep_the_folder_mode_and_an_existing_file_mode(tmp_path: Path) -> None:
    folder = tmp_path / "personas"
    folder.mkdir()
    os.chmod(folder, 0o755)
    message, kind = save_persona(folder, TEMPLATE, overwrite=False)
    assert kind == "ok", message
    saved = folder / "new-persona.yaml"
    assert stat.S_IMODE(saved.stat().st_mode) == 0o644
    os.chmod(saved, 0o640)
    assert save_persona(folder, TEMPLATE, overwrite=True)[1] == "ok"
    assert stat.S_IMODE(saved.stat().st_mode) == 0o640


def test_a_saved_persona_reaches_the_practice_list_without_a_restart(tmp_path: Path) -> None:
    from trainer.llm.scripted import ScriptedBackend
    from trainer.simulation.call import Simulator
    from trainer.ui.context import AppContext
    from trainer.ui.practice import refresh_personas

    class _NoSignals:
        def analyse_turn(self, text, speaker, turn=0, context=""):
            return []

    folder = tmp_path / "personas"
    folder.mkdir()
    sim = Simulator(ScriptedBackend(), _NoSignals(), strategy="authored")
    ctx = AppContext(simulator=sim, personas_dir=folder, store=None, work_dir=tmp_path / "w")
    assert refresh_personas(ctx)[1]["choices"] == []
    assert save_persona(folder, TEMPLATE, overwrite=False, rubric=ctx.rubric())[1] == "ok"
    cards, picker = refresh_personas(ctx)  # the same context: no restart
    assert [c[1] for c in picker["choices"]] == ["new-persona"] and "Sam Carter" in cards
    edited = TEMPLATE.replace("name: Sam Carter", "name: Samira Carter")
    assert save_persona(folder, edited, overwrite=True, rubric=ctx.rubric())[1] == "ok"
    cards, _ = refresh_personas(ctx)
    assert "Samira Carter" in cards and "Sam Carter" not in cards
