"""Nicknames: any character a phone can type is welcome, counted as people count characters, and
each refusal says exactly which rule the nickname breaks."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.utils import translation

from patterns.models import Participant, StudySession
from patterns.sessions import fields, joining
from patterns.sessions.forms import JoinForm

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # 👨‍👩‍👧‍👦, 7 code points
KISS = (  # 👩🏻‍❤️‍💋‍👨🏼: 10 code points, among the longest emoji sequences
    "\U0001f469\U0001f3fb\u200d\u2764\ufe0f\u200d\U0001f48b\u200d\U0001f468\U0001f3fc"
)
SCOTLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"  # tag flag
JAPAN = "\U0001f1ef\U0001f1f5"  # 🇯🇵, two regional indicators
WAVE = "\U0001f44b\U0001f3fd"  # 👋🏽, a skin tone
E_ACUTE = "e\u0301"  # é as e + combining acute (NFKC composes it into one code point)
CODA = "\u0915\u094d\u0937"  # क्ष, a Devanagari conjunct


@pytest.fixture
def session() -> StudySession:
    owner = get_user_model().objects.create_user("instructor")
    return joining.create_session(owner, "ELB deep dive")


@pytest.mark.parametrize(
    ("raw", "shown", "count"),
    [
        (FAMILY, FAMILY, 1),
        (KISS, KISS, 1),
        (SCOTLAND, SCOTLAND, 1),
        (f"{JAPAN} Aya", f"{JAPAN} Aya", 5),
        (f"{WAVE}{WAVE}", f"{WAVE}{WAVE}", 2),
        (f"Ren{E_ACUTE}e", "Ren\u00e9e", 5),
        ("さくら🌸", "さくら🌸", 4),
        (f"{CODA}{CODA}", f"{CODA}{CODA}", 2),
        (FAMILY * 20, FAMILY * 20, 20),
    ],
)
def test_any_character_is_welcome_and_counted_as_one(raw: str, shown: str, count: int) -> None:
    name, _key = joining.normalize_nickname(raw)

    assert name == shown
    assert len(joining.graphemes(name)) == count


def test_a_nickname_keeps_twenty_characters_exactly() -> None:
    assert joining.normalize_nickname("y" * 20)[0] == "y" * 20


def test_twenty_of_the_longest_emoji_fit_the_column() -> None:
    name, _key = joining.normalize_nickname(KISS * 20)
    field = Participant._meta.get_field("nickname")

    assert len(name) == 200
    assert joining.NICKNAME_MAX_CODE_POINTS == 320
    assert field.max_length == joining.NICKNAME_MAX_CODE_POINTS


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "Type a nickname."),
        (" \n\t ", "Type a nickname."),
        (
            "x" * 21,
            "Use at most 20 characters (an emoji counts as one); this nickname has 21.",
        ),
        (
            FAMILY * 21,
            "Use at most 20 characters (an emoji counts as one); this nickname has 21.",
        ),
        ("bad\u200bname", "Remove the invisible control character U+200B from the nickname."),
        ("bell\x07", "Remove the invisible control character U+0007 from the nickname."),
        ("evil\u202etxt", "Remove the invisible control character U+202E from the nickname."),
        (
            "zalgo" + "\u0301" * 17,  # NFKC makes o + the first mark one ó: 1 + 16
            "The character “ó” carries too many marks: at most 16 code points make one character.",
        ),
    ],
)
def test_a_refused_nickname_says_which_rule_it_breaks(raw: str, reason: str) -> None:
    with pytest.raises(fields.SessionError) as caught:
        joining.normalize_nickname(raw)

    assert (caught.value.field, caught.value.reason) == ("nickname", reason)


def test_a_refusal_in_japanese() -> None:
    with translation.override("ja"), pytest.raises(fields.SessionError) as caught:
        joining.normalize_nickname("あ" * 21)

    assert (
        caught.value.reason
        == "ニックネームは 20 文字までにしてください（絵文字は 1 文字と数えます）。いまは 21 文字です。"
    )


def test_the_join_form_takes_a_nickname_longer_than_sixty_code_points() -> None:
    form = JoinForm({"code": "K7P4QM", "nickname": FAMILY * 20})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["nickname"] == FAMILY * 20
    assert "maxlength" not in str(form["nickname"])


@pytest.mark.django_db
def test_a_taken_nickname_names_itself_and_the_rule(session: StudySession) -> None:
    joining.join(session, f"Ａｙａ {WAVE}")

    with pytest.raises(fields.SessionError) as caught:
        joining.join(session, f"aya {WAVE}")

    assert caught.value.reason == (
        f"Someone in this session already uses “aya {WAVE}” (nicknames differing only in upper"
        " and lower case or in width count as the same). Pick another."
    )


@pytest.mark.django_db
def test_the_key_is_kept_as_a_fixed_length_digest(session: StudySession) -> None:
    participant, _token = joining.join(session, KISS * 20)

    key = joining.normalize_nickname(KISS * 20)[1]
    assert participant.nickname_key == joining.nickname_key_digest(key)
    assert len(participant.nickname_key) == 64
    with connection.cursor() as cursor:
        cursor.execute("SELECT nickname FROM patterns_participant WHERE id = %s", [participant.pk])
        assert cursor.fetchone()[0] == KISS * 20


@pytest.mark.django_db
def test_joining_through_the_page_with_an_emoji_nickname(session: StudySession) -> None:
    client = Client()

    response = client.post(
        "/sessions/join/", {"code": session.display_code, "nickname": f"{JAPAN}{FAMILY}"}
    )
    room = client.get(response["Location"])

    assert response.status_code == 302
    assert Participant.objects.get().nickname == f"{JAPAN}{FAMILY}"
    assert f"<strong>{JAPAN}{FAMILY}</strong>" in room.text


@pytest.mark.django_db
def test_a_nickname_too_long_is_refused_beside_the_field_on_the_page(
    session: StudySession,
) -> None:
    response = Client().post(
        "/sessions/join/",
        {"code": session.display_code, "nickname": WAVE * 21},
        HTTP_ACCEPT_LANGUAGE="ja",
    )

    assert response.status_code == 400
    assert (
        "ニックネームは 20 文字までにしてください（絵文字は 1 文字と数えます）。いまは 21 文字です。"
        in response.text
    )
