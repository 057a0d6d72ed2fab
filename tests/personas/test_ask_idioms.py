"""Ask matching in general terms: request idioms, details described by where they are
found or what they are for, lists of details, chat spellings (issue 11). The phrasings are
written for these tests, not taken from the writers' sets."""

from __future__ import annotations

import pytest

from trainer.paths import default_personas_dir
from trainer.personas.asking import compounds, named_prefixes, normalise
from trainer.personas.loading import load_personas

PERSONAS = load_personas(default_personas_dir()).personas


@pytest.mark.parametrize(
    ("persona", "text", "asked"),
    [
        # request idioms with no "can you" or question mark
        ("angry-escalation", "Bung me the postcode and I'll have a look.", ["postcode"]),
        ("product-blamer", "Pop the order number in the chat for me.", ["order number"]),
        ("angry-escalation", "Bear with me, and then the postcode.", ["postcode"]),
        ("warm-up", "The account number would be brilliant, when you find it.", ["account number"]),
        ("angry-escalation", "Postcode, that's all I'm after.", ["postcode"]),
        ("queue-waiter", "Right, just two things: your date of birth and the mobile.",
         ["date of birth", "mobile number"]),
        # a list of details, then what the agent will do with them
        ("angry-escalation", "Account and phone, then we'll test the line.",
         ["account number", "phone number"]),
        ("product-blamer", "Serial and email, and it'll be sorted.",
         ["serial number", "email address"]),
        ("angry-escalation", "Go on then, fire away with the account number.", ["account number"]),
        ("angry-escalation", "Postcode's the next thing I need.", ["postcode"]),
        ("accent-complainer", "Next up, your date of birth.", ["date of birth"]),
        ("queue-waiter", "Last four digits of the card and we're away.", ["card number"]),
        ("angry-escalation", "The line that's down, what's its number?", ["phone number"]),
        # a detail named by the start of its value
        ("accent-complainer", "What's your CLM number, please?", ["claim reference"]),
        ("billing-dispute", "And the one starting 07, which is it?", ["mobile number"]),
        # "the number of the parcel", "the dates of the trip"
        ("abusive-curser", "Can you read me the number of the parcel?", ["tracking number"]),
        # described by what it is for or where it goes
        ("product-blamer", "Where should the receipt be emailed to?", ["email address"]),
        ("angry-escalation", "Which number should the engineer's text go to?", ["phone number"]),
        ("warm-up", "What's the address of the flat you're moving into?", ["new address"]),
        ("product-blamer", "What's the system called, on the box?", ["model"]),
        ("abusive-curser", "Who did you buy it off, was it online?", ["retailer"]),
        ("abusive-curser", "What did the courier's email say the number was?", ["tracking number"]),
        ("abusive-curser", "Let me grab the consignment ref off you.", ["tracking number"]),
        ("product-blamer", "What kit have you got exactly?", ["model"]),
        ("billing-dispute", "Can I get your birthday and the number you're ringing about?",
         ["mobile number", "date of birth"]),
        ("angry-escalation", "For verification purpose, account number and pin code.",
         ["account number", "postcode"]),
        ("product-blamer", "I'm gonna need the order number, it's on your receipt email.",
         ["order number"]),  # where it is written names no other detail
        ("product-blamer", "do u have the s/n handy?", ["serial number"]),
        ("accent-complainer", "Could you read me the code off the insurance paperwork?",
         ["policy number"]),
        ("billing-dispute", "And the dates you were in Portugal, roughly?", ["travel dates"]),
        ("billing-dispute", "Could I take the dates you went and came back?", ["travel dates"]),
        # chat spellings
        ("angry-escalation", "can u send ur acc no pls", ["account number"]),
        ("billing-dispute", "wat dates were u away?", ["travel dates"]),
        ("warm-up", "and the adress ur moving to?", ["new address"]),
        # an aside between dashes is its own sentence: "I've got" there mentions nothing
        ("accent-complainer", "I've got two Baxters on file \u2014 your date of birth, please?",
         ["date of birth"]),
        # "last thing:", and what the agent will do afterwards is not a mention
        ("angry-escalation", "One more thing: the postcode, then I'll book the engineer.",
         ["postcode"]),
        # a list of details after a lead-in, then what happens
        ("queue-waiter", "I'll keep this quick: date of birth and the mobile, and then we're done.",
         ["date of birth", "mobile number"]),
        # a sentence that is only the details' names asks for them, with no request word
        ("queue-waiter", "Mobile and date of birth, sir.", ["date of birth", "mobile number"]),
        ("product-blamer", "Serial first, then the model.", ["serial number", "model"]),
        ("angry-escalation", "Postcode, mate.", ["postcode"]),
        # "whether your unit is ..." is what the agent will check, not what they know
        ("product-blamer", "To see whether your router is on the list, can I get the serial?",
         ["serial number"]),
        # a confirmation text's reference is the confirmation; roaming days are travel dates
        ("billing-dispute", "Read me the ref on the confirmation SMS, please.",
         ["add-on confirmation"]),
        ("billing-dispute", "Which days were you roaming?", ["travel dates"]),
        ("billing-dispute", "What's the number you were using abroad?", ["mobile number"]),
    ],
)  # fmt: skip
def test_general_ask_idioms_are_matched(persona, text, asked):
    assert PERSONAS[persona].facts_asked(text) == asked


@pytest.mark.parametrize(
    ("persona", "text", "asked"),
    [
        # a list that opens with the details' names, described, then what the agent will do
        ("angry-escalation", "Right. Number of the broken line, plus the ref they gave you.",
         ["reference number", "phone number"]),
        ("product-blamer", "The email on your account and the purchase number, and I'll log it.",
         ["order number", "email address"]),
        ("angry-escalation", "I need 2 things off you: the postcode and the account number.",
         ["account number", "postcode"]),
        # each clause of one sentence is read for its own detail
        ("abusive-curser", "What did you order, and what's the code on the courier text?",
         ["tracking number", "parcel contents"]),
        ("product-blamer", "Which version is it, and the X Y Z code on the bottom?",
         ["serial number", "model"]),
        # "the number on the letter" describes the detail; the letter is not another detail
        ("confused-repeat-caller", "Three bits: your postcode, the number on the letter, dob.",
         ["account number", "date of birth", "postcode"]),
        # the start of a value named as letters, spaced or after "digits after"
        ("angry-escalation", "Could you read me the numbers after the N B?", ["account number"]),
        # described by what it is for or what is wrong with it
        ("angry-escalation", "Which number has gone dead on you?", ["phone number"]),
        ("queue-waiter", "And where can I text the one-time code?", ["mobile number"]),
        ("billing-dispute", "Is it the one you're ringing from now?", ["mobile number"]),
        ("product-blamer", "What address did you sign up to the app with?", ["email address"]),
        ("product-blamer", "Which bundle did you go for?", ["model"]),
        ("confused-repeat-caller", "Do you remember when it was that you rang us?",
         ["previous call"]),
        ("warm-up", "Exciting! Where are you off to?", ["new address"]),
    ],
)  # fmt: skip
def test_lists_clauses_and_described_details_are_matched(persona, text, asked):
    assert sorted(PERSONAS[persona].facts_asked(text)) == sorted(asked)


@pytest.mark.parametrize(
    ("persona", "text"),
    [
        ("product-blamer", "The email will have the returns label in it."),
        ("angry-escalation", "Phone number's showing on my screen already, so that's fine."),
        ("abusive-curser", "Tracking number you gave matches the one on here."),
    ],
)
def test_a_detail_named_first_and_told_about_is_not_asked(persona, text):
    assert PERSONAS[persona].facts_asked(text) == []


@pytest.mark.parametrize(
    ("persona", "text"),
    [
        ("angry-escalation", "Your postcode, as it happens, is on our outage map."),
        ("product-blamer", "Your order number is LH-1190442, and I'll put it in the email."),
        ("accent-complainer", "Your date of birth matched, so we're through security."),
        (
            "product-blamer",
            "The LH number you typed has come through, so you won't have to give it.",
        ),
        ("abusive-curser", "The seller's name is printed on the label, so I'll copy them in."),
        ("angry-escalation", "The engineer is booked and we're all set."),
        ("angry-escalation", "I've got your postcode, so I'll book the engineer now."),
        ("product-blamer", "We'll email the order number to you, and then I'll close the case."),
        # a detail taken in, or read back with its digits, is not asked for again
        ("angry-escalation", "Postcode, perfect."),
        ("queue-waiter", "Mobile ending 4471."),
        ("billing-dispute", "Date of birth and mobile both check out."),
    ],
)
def test_mentions_are_still_not_asks(persona, text):
    assert PERSONAS[persona].facts_asked(text) == []


def test_helpers_rewrite_and_read_prefixes():
    assert normalise("wat dates were u in spain?") == "what dates were you in spain?"
    assert compounds("the number of the parcel") == "the parcel number"
    assert named_prefixes("Is it the BW then six digits?") == ["BW"]
    assert named_prefixes("the SW number, please") == ["SW"]
    assert named_prefixes("what number is it?") == []
    assert normalise("do u have the s/n n the dob") == "do you have the s/n and the dob"


@pytest.mark.parametrize(
    ("persona", "text", "asked"),
    [
        # several values read back, then one check for them all
        ("accent-complainer",
         "Here's what I've got. Policy MH-7730-2291 and postcode CT2 7NA. Does all that look "
         "right to you?", ["policy number", "postcode"]),
        ("angry-escalation", "There's an account NB-20417 here at LS6 3HF. Is that you?",
         ["account number", "postcode"]),
        ("product-blamer", "The Lumen Mesh Pro, order LH-1190442. That all correct?",
         ["order number", "model"]),
        # a number said digit by digit with commas, a postcode spelled out with number words
        ("accent-complainer", "Claim five, eight, eight, one, two. Is that the one?",
         ["claim reference"]),
        ("confused-repeat-caller", "I've put T-Q-one, two-P-L. Is that right?", ["postcode"]),
        # an e-mail address said aloud; a date range said back by its days
        ("product-blamer", "Is it gavin dot hollis at example dot com?", ["email address"]),
        ("billing-dispute", "And you were out there the twelfth to the fifteenth, correct?",
         ["travel dates"]),
        # a list after a colon with no request word; "just the ..."; "I have to hear ..."
        ("angry-escalation",
         "To raise the complaint I need it all at once: account number, postcode, and the "
         "reference.", ["account number", "postcode", "reference number"]),
        ("warm-up", "Right, just the account number off the letter, nice and slowly.",
         ["account number"]),
        ("queue-waiter", "Sorry, I still have to take your date of birth myself.",
         ["date of birth"]),
        # a read-back with no request word, and one closed by "anything wrong there?"
        ("billing-dispute",
         "Let me make sure I have it all: twelfth to the fifteenth, and the add-on was "
         "TRV-EU-3319?", ["travel dates", "add-on confirmation"]),
        ("product-blamer", "So, order LH-1190442 and serial LMX-2207-88341. Anything wrong there?",
         ["serial number", "order number"]),
        # a detail the company holds, named as what the agent needs
        ("queue-waiter", "I'll need your date of birth and the mobile we've got on file.",
         ["date of birth", "mobile number"]),
    ],
)  # fmt: skip
def test_read_backs_of_several_values_and_lists_after_a_colon(persona, text, asked):
    assert PERSONAS[persona].facts_asked(text) == asked


@pytest.mark.parametrize(
    ("persona", "text"),
    [
        ("angry-escalation", "I've got your postcode on file already, so that's fine."),
        ("billing-dispute", "The twelfth was a Tuesday, I see that now."),
        ("accent-complainer", "Here's what happens next: the assessor calls, then the roofer."),
        ("billing-dispute", "Your bill shows 186.40, same as you said."),  # no question
    ],
)
def test_a_colon_or_a_date_alone_asks_nothing(persona, text):
    assert PERSONAS[persona].facts_asked(text) == []
