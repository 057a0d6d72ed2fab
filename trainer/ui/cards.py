"""The persona cards: the trainee picks the customer by clicking one.

The cards are the picker a trainee sees; the ``gr.Radio`` they drive stays in the
page for keyboard and screen-reader users, visually hidden (:data:`CARDS_CSS`).
A click (or Enter / Space on a focused card) checks the matching radio button in
the browser (:data:`CARDS_JS`), so the pick is the radio's value, as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

CARDS_CSS = """
.fl-cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:8px}
.fl-card{border:1px solid #ccc;border-radius:8px;padding:6px 10px;font:13px system-ui,sans-serif;
cursor:pointer}
.fl-card:hover,.fl-card:focus{border-color:#1565c0;outline:none;box-shadow:0 0 0 2px #bbdefb}
.fl-card.fl-picked{border:2px solid #1565c0;background:#f3f8fe}
.fl-card h4{margin:0 0 2px}.fl-badge{display:inline-block;padding:1px 8px;border-radius:10px;
color:#fff;font-size:12px}.fl-d-easy{background:#2e7d32}.fl-d-medium{background:#ef8f00}
.fl-d-hard{background:#c62828}.fl-card p{margin:4px 0 0;color:#444;display:-webkit-box;
-webkit-line-clamp:2;-webkit-box-orient:vertical;overflow:hidden}
"""
"""The cards' style (part of :data:`trainer.ui.render.STYLE`)."""

CARDS_JS = """
const pick = (card) => {
  const id = card.dataset.persona;
  const radio = [...document.querySelectorAll('#persona-picker input[type=radio]')]
    .find((r) => r.value === id);
  if (radio && !radio.checked) radio.click();
  element.querySelectorAll('.fl-card').forEach((c) => {
    c.classList.toggle('fl-picked', c === card);
    c.setAttribute('aria-pressed', String(c === card));
  });
};
element.addEventListener('click', (e) => {
  const card = e.target.closest('.fl-card');
  if (card) pick(card);
});
element.addEventListener('keydown', (e) => {
  const card = e.target.closest('.fl-card');
  if (card && (e.key === 'Enter' || e.key === ' ')) { e.preventDefault(); pick(card); }
});
"""
"""Runs in the browser (``gr.HTML(js_on_load=...)``): a card click checks its radio button."""


def persona_cards(personas: Sequence[Any], picked: str | None = None) -> str:
    """One card per persona: name, one-line situation, difficulty; ``picked`` is marked.

    Hidden facts stay hidden; every persona field is escaped.
    """
    if not personas:
        return "<p>No personas found. Add YAML files to the personas folder (Persona studio).</p>"
    cards = []
    for p in personas:
        level = escape(str(p.difficulty))
        on = p.id == picked
        cards.append(
            f'<div class="fl-card{" fl-picked" if on else ""}" data-persona="{escape(p.id)}" '
            f'role="button" tabindex="0" aria-pressed="{str(on).lower()}">'
            f"<h4>{escape(p.name)}</h4>"
            f'<span class="fl-badge fl-d-{level}">{level}</span> '
            f"<small>{escape(p.company)}</small><p>{escape(p.summary)}</p></div>"
        )
    return f'<div class="fl-cards">{"".join(cards)}</div>'
