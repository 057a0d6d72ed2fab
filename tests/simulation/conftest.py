"""A small persona for simulator tests, written out in full so the tests read on their own."""

from __future__ import annotations

import pytest

from trainer.personas.loading import Persona, parse_persona

PERSONA_YAML = """\
id: test-caller
name: Dana Price
summary: Router keeps dropping; second call this week.
difficulty: medium
company: Northwind Broadband
style: Short sentences. Impatient.
background: |
  Your router drops every evening. You called on Monday and nothing changed.
facts:
  account number: NB-55555
  postcode:
    value: LS6 3HF
    asked_by: ['\\bpost ?code\\b', '\\bzip\\b']
goal: A technician visit or a replacement router.
opening: My internet keeps dropping and this is my second call.
mood: {start: 6, hang_up_at: 10, satisfied_at: 3, patience: 1}
reactions:
  acknowledges_feelings: -2
  takes_ownership: -1
  gives_clear_next_step: -2
  offers_resolution: -1
  blames_customer: 3
  says_calm_down: 3
beats:
  - id: calm-down
    when: {signal: says_calm_down}
    say: ["Don't tell me to calm down."]
  - id: supervisor
    when: {mood_at_least: 9}
    say: ["Get me your supervisor."]
  - id: warms-up
    when: {after_beat: calm-down, mood_at_most: 5}
    say: ["Fine. Go on then."]
  - id: walks-out
    when: {signal: blames_customer, mood_at_least: 9}
    say: ["Right, I'm done. Goodbye."]
    end_call: hang_up
lines:
  calm: ["OK, that sounds fine.", "Right, thanks."]
  annoyed: ["I've heard that before.", "And how long will that take?"]
  angry: ["This is ridiculous.", "Just fix it."]
resolution: {needs: [offers_resolution, gives_clear_next_step]}
max_reply_words: 30
"""


@pytest.fixture()
def persona() -> Persona:
    return parse_persona(PERSONA_YAML, "test-caller.yaml")
