"""`new --from`'s reading of an article: question headings, Markdown headings and list items
as separate claims, a lead-in drafted with its items, citations and back matter left out."""

from __future__ import annotations

from factdeck.authoring.article import parse

PLAIN = """\
Carpal Tunnel Basics

What Is the Carpal Tunnel?

The carpal tunnel is a narrow passage on the palm side of the wrist.

What Passes Through It?

Its contents are:
- the median nerve
- nine flexor tendons

Signs of compression include:

• numbness in the thumb and first fingers
• weakness of grip, worst at night
  and on waking

How is it treated?

1. Massage around the wrist may ease the symptoms.
2. A splint keeps the wrist straight at night. Most clients sleep better with it.

The next part says:

Deep pressure over the tunnel itself is avoided.

Notes

1. Someone, A. 2001. A Book About Wrists.
"""

MARKDOWN = """\
# Carpal Tunnel Basics

## What is the carpal tunnel?
The carpal tunnel is a narrow passage on the palm side of the wrist.

Contents
--------

* the median nerve
* nine flexor tendons, which bend
  the fingers
+ The flexor retinaculum forms its roof.

3. Smith, J. 2019. Wrists. Journal of Hands 4: 1-9.
"""


def _claims(text: str) -> list[tuple[str, str]]:
    return [(s.heading, claim) for s in parse(text).sections for claim in s.sentences]


def test_plain_text_question_headings_and_list_items() -> None:
    assert parse(PLAIN).title == "Carpal Tunnel Basics"
    assert _claims(PLAIN) == [
        (
            "What Is the Carpal Tunnel?",
            "The carpal tunnel is a narrow passage on the palm side of the wrist.",
        ),
        ("What Passes Through It?", "Its contents are: the median nerve"),
        ("What Passes Through It?", "Its contents are: nine flexor tendons"),
        (
            "What Passes Through It?",
            "Signs of compression include: numbness in the thumb and first fingers",
        ),
        (
            "What Passes Through It?",
            "Signs of compression include: weakness of grip, worst at night and on waking",
        ),
        ("How is it treated?", "Massage around the wrist may ease the symptoms."),
        ("How is it treated?", "A splint keeps the wrist straight at night."),
        ("How is it treated?", "Most clients sleep better with it."),
        ("How is it treated?", "The next part says:"),  # no list follows: a claim as it is
        ("How is it treated?", "Deep pressure over the tunnel itself is avoided."),
    ]


def test_markdown_headings_run_into_their_text_and_items_stay_apart() -> None:
    assert parse(MARKDOWN).title == "Carpal Tunnel Basics"
    assert [(s.key, s.heading) for s in parse(MARKDOWN).sections] == [
        ("what-is-the-carpal-tunnel", "What is the carpal tunnel?"),
        ("contents", "Contents"),
    ]
    assert _claims(MARKDOWN)[1:] == [
        ("Contents", "the median nerve"),
        ("Contents", "nine flexor tendons, which bend the fingers"),
        ("Contents", "The flexor retinaculum forms its roof."),
    ]  # the numbered citation is left out
