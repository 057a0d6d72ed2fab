from trainer.simulation.implied import implied_signals

SAID = ["My fence blew down in the storm and the roof is leaking, and no assessor has called."]


def test_first_person_commitment_is_ownership():
    assert "takes_ownership" in implied_signals("I'm booking the assessor for Tuesday.", SAID)
    assert "takes_ownership" in implied_signals("I've opened an investigation now.", SAID)


def test_a_question_or_a_promise_by_someone_else_is_not_ownership():
    assert "takes_ownership" not in implied_signals("Shall I book the assessor for you?", SAID)
    assert "takes_ownership" not in implied_signals("Someone will call you back.", SAID)


def test_restating_needs_a_frame_and_the_callers_own_words():
    line = "You're ringing because the storm took your fence and the roof is leaking."
    assert "restates_issue" in implied_signals(line, SAID)
    # a frame without the caller's content is not a restatement
    assert "restates_issue" not in implied_signals("So, what can I do for you?", SAID)
    # the caller's content without a frame is not one either
    assert "restates_issue" not in implied_signals("The storm roof fence claim.", SAID)


def test_own_words_drops_a_read_back_of_the_callers_words_but_keeps_a_commitment():
    from trainer.simulation.implied import own_words

    said = ["Dead since Monday. Nobody turned up."]
    days = [r"\b(mon|tues|wednes|thurs|fri)day\b"]
    read_back = "Broadband dead since Monday, two visits missed. That's on us."
    assert own_words(read_back, said, days) == "That's on us."
    booked = "I've booked an engineer for Monday, 8 till 12."
    assert own_words(booked, said, days) == booked
    new_day = "Someone can come Thursday."
    assert own_words(new_day, said, days) == new_day
