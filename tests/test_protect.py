"""Pseudonymisation of children's names, on our own sentences: what must be hidden, what
must stay (adults, places, demonyms), stable pseudonyms and offsets that still index."""

from __future__ import annotations

import re

import pytest

from childwatch.extract.names import child_names
from childwatch.read.redact import pseudonymise, redact

KEY = "doc-1"
LABEL = re.compile(r"\[child [A-Z]{2}\]")


@pytest.mark.parametrize(
    ("sentence", "names"),
    [
        ("The 13-year-old Dmytro was hit by shrapnel near the market.", ["Dmytro"]),
        ("A 12-year-old schoolgirl, Amina Yusuf, was among those taken.", ["Amina Yusuf"]),
        ("Amina, 12, and her brother Yusuf, 9, were taken from the village.", ["Amina", "Yusuf"]),
        ("Omar (9) was carried to the clinic by neighbours.", ["Omar"]),
        ("Her son Omar had gone to fetch water when the shell hit.", ["Omar"]),
        ("The boy, Ahmed Ali, was released on Monday.", ["Ahmed Ali"]),
        ("Grace Okoye, a schoolgirl from the town, escaped on foot.", ["Grace Okoye"]),
        ("The children were named as Hassan Omar, Fatima Bello and Zainab Musa.",
         ["Hassan Omar", "Fatima Bello", "Zainab Musa"]),
        ("Fatima, aged 14, said the fighters beat her.", ["Fatima"]),
    ],
)  # fmt: skip
def test_a_childs_name_next_to_an_age_or_a_child_noun_is_found(sentence: str, names: list[str]) -> None:
    assert child_names(sentence) == names
    hidden = pseudonymise(sentence, key=KEY)
    for name in names:
        assert name not in hidden
    assert LABEL.search(hidden)


@pytest.mark.parametrize(
    "sentence",
    [
        "Oleksandr Hnatiuk, 67, head of the regional administration, said three children died.",
        "His daughter Maria, 25, told reporters the house was destroyed.",
        "Police spokesman Haruna Bello confirmed that 30 pupils were abducted.",
        "A 12-year-old Yazidi girl was freed, the Kurdistan Regional Government said.",
        "In Marhanets, 12 children were hurt when the shells landed.",
        "UNICEF child protection officer Anna Schmidt said six children were killed.",
        "The 14-year-old was taken to hospital in Kano on Sunday.",
        "On June 3, 12 boys were recruited in Raqqa, the observatory said.",
    ],
)
def test_adults_places_and_demonyms_are_left_alone(sentence: str) -> None:
    assert child_names(sentence) == []
    assert pseudonymise(sentence, key=KEY) == sentence


def test_every_later_mention_is_hidden_but_an_adult_sharing_a_word_is_not() -> None:
    text = (
        "The boy, Ahmed Ali, was released on Monday. Then Ahmed told his family what happened. "
        "Ahmed's uncle said Ali had been beaten. Governor Ali Hassan told reporters the talks went on."
    )
    hidden = pseudonymise(text, key=KEY)
    assert "Ahmed" not in hidden
    assert "said [child" in hidden  # "Ali" alone is the child
    assert "Governor Ali Hassan" in hidden  # another man who shares a word of the name
    assert "'s uncle" in hidden  # the possessive stays readable


def test_a_school_or_address_next_to_a_named_child_is_hidden_but_not_elsewhere() -> None:
    text = (
        "The 14-year-old schoolgirl, Grace Okoye, lives at 14 Market Street and attends Unity Girls Secondary School. "
        "Unity Girls Secondary School was attacked twice last year, the ministry said."
    )
    hidden = pseudonymise(text, key=KEY)
    assert "[address]" in hidden and "14 Market Street" not in hidden
    assert "attends [school]" in hidden
    assert "Unity Girls Secondary School was attacked" in hidden  # the news itself stays


def test_pseudonyms_are_stable_for_a_document_and_differ_between_documents() -> None:
    text = "Her son Omar had gone to fetch water. Omar was 9."
    red = redact(text, key="doc-1")
    (label,) = set(red.names.values())
    assert red.text.count(label) == 2
    # A sentence of the same document, given the document's names, gets the same pseudonym.
    assert pseudonymise("Omar was 9.", key="doc-1", names=red.names) == f"{label} was 9."
    others = {redact(text, key=f"doc-{i}").names["Omar"] for i in range(2, 12)}
    assert len(others) > 1  # not one label for the same name everywhere: no linking across reports


def test_offsets_of_the_original_map_into_the_pseudonymised_text() -> None:
    text = "The boy, Ahmed Ali, was released on Monday by the gunmen, police said."
    red = redact(text, key=KEY)
    for part in ("was released on Monday", "police said", "The boy", "gunmen"):
        start = text.index(part)
        a, b = red.span(start, start + len(part))
        assert red.text[a:b] == part
    # A span that covers the name covers the whole pseudonym.
    start = text.index("Ahmed Ali, was")
    a, b = red.span(start, start + len("Ahmed Ali, was"))
    assert LABEL.fullmatch(red.text[a:b].split(",")[0])
    assert red.slice(text.index("Ahmed"), text.index("Ahmed") + 3) == red.names["Ahmed Ali"]
    assert red.span(0, len(text)) == (0, len(red.text))


def test_text_without_children_is_returned_unchanged_with_identity_offsets() -> None:
    text = "Shelling killed three children in the town on Sunday, the governor said."
    red = redact(text, key=KEY)
    assert red.text == text and red.edits == [] and red.span(5, 20) == (5, 20)
