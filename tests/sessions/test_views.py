"""Study-session pages: creating, joining (with throttling), presenting, reports and CSV."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone
from django.utils.html import escape, strip_tags

from patterns.lessons import library, quiz, slides
from patterns.sessions import joining, log, polls
from patterns.sessions.models import JoinAttempt, Participant, StudySession

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


def _user(username: str, instructor: bool):
    user = get_user_model().objects.create_user(username, password="pw-unused-123")
    if instructor:
        user.user_permissions.add(Permission.objects.get(codename="run_study_sessions"))
    return user


@pytest.fixture
def instructor() -> Client:
    # instructor: may create sessions and drive their own.
    client = Client()
    client.force_login(_user("instructor", instructor=True))
    return client


@pytest.fixture
def stranger() -> Client:
    # stranger: anonymous, has joined nothing; may only see the join page.
    return Client()


@pytest.fixture
def session() -> StudySession:
    owner = get_user_model().objects.filter(username="instructor").first() or _user(
        "instructor", instructor=True
    )
    return joining.create_session(owner, "ELB deep dive")


def _plain(html: str) -> str:
    return " ".join(unescape(strip_tags(html)).split())


def _join(client: Client, code: str, nickname: str, **extra: str):
    return client.post("/sessions/join/", {"code": code, "nickname": nickname}, **extra)


def test_index_shows_the_join_form_and_a_sign_in_link_to_strangers(stranger: Client) -> None:
    response = stranger.get("/sessions/")

    assert response.status_code == 200
    assert 'data-testid="join-form"' in response.text
    assert "Sign in as an instructor" in response.text
    assert 'data-testid="create-form"' not in response.text


def test_index_prefills_the_code_from_the_join_url(stranger: Client) -> None:
    response = stranger.get("/sessions/join/K7P-4QM/")

    assert re.search(r'name="code" value="K7P-4QM"', response.text)


def test_signed_in_user_without_the_permission_cannot_create(stranger: Client) -> None:
    stranger.force_login(_user("student", instructor=False))

    response = stranger.post("/sessions/new/", {"title": "Mine"})

    assert response.status_code == 403
    assert StudySession.objects.count() == 0


def test_instructor_creates_a_session_and_sees_code_url_and_qr(instructor: Client) -> None:
    response = instructor.post("/sessions/new/", {"title": "ELB deep dive", "lesson": ""})

    session = StudySession.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/sessions/{session.public_id}/console/"
    page = instructor.get(response["Location"])
    assert page.status_code == 200
    assert f'data-testid="join-code" aria-label="Join code {session.display_code}"' in page.text
    assert f"http://testserver/sessions/join/{session.display_code}/" in page.text
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="qr"' in page.text
    assert session.expires_at - session.created_at == timedelta(hours=12)
    assert re.fullmatch(r"[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}", session.code)


def test_create_refuses_an_unknown_lesson(instructor: Client) -> None:
    response = instructor.post("/sessions/new/", {"title": "T", "lesson": "no-such-lesson"})

    assert response.status_code == 400
    assert "Select a valid choice" in response.text
    assert StudySession.objects.count() == 0


def test_another_instructor_cannot_present_or_read_the_report(session: StudySession) -> None:
    other = Client()
    other.force_login(_user("other", instructor=True))

    responses = [
        other.get(f"/sessions/{session.public_id}/present/").status_code,
        other.get(f"/sessions/{session.public_id}/console/").status_code,
        other.get(f"/sessions/{session.public_id}/report/").status_code,
        other.get(f"/sessions/{session.public_id}/report.csv").status_code,
        other.post(f"/sessions/{session.public_id}/end/").status_code,
    ]

    assert responses == [403, 403, 403, 403, 403]


def test_pages_have_no_inline_style_or_handlers(instructor: Client, session: StudySession) -> None:
    pages = [
        instructor.get("/sessions/").text,
        instructor.get(f"/sessions/{session.public_id}/present/").text,
        instructor.get(f"/sessions/{session.public_id}/console/").text,
        instructor.get(f"/sessions/{session.public_id}/report/").text,
    ]

    for html in pages:
        assert re.search(r"\sstyle=|\son[a-z]+=|<script>|<style", html) is None


def test_join_with_the_right_code_lands_in_the_room(
    stranger: Client, session: StudySession
) -> None:
    response = _join(stranger, session.display_code.lower(), "Aya")

    assert response.status_code == 302
    assert response["Location"] == f"/sessions/{session.public_id}/"
    room = stranger.get(response["Location"])
    assert room.status_code == 200
    assert "You are <strong>Aya</strong>" in room.text
    assert Participant.objects.get().nickname == "Aya"


def test_join_twice_from_one_browser_keeps_one_participant(
    stranger: Client, session: StudySession
) -> None:
    _join(stranger, session.code, "Aya")

    response = _join(stranger, session.code, "Someone else")

    assert response["Location"] == f"/sessions/{session.public_id}/"
    assert list(Participant.objects.values_list("nickname", flat=True)) == ["Aya"]


def test_join_with_a_wrong_code_says_so(stranger: Client, session: StudySession) -> None:
    wrong = "222222" if session.code != "222222" else "333333"

    response = _join(stranger, wrong, "Aya")

    assert response.status_code == 400
    assert "No live session has this code." in response.text
    assert Participant.objects.count() == 0


def test_join_with_a_malformed_code_explains_the_format(stranger: Client) -> None:
    response = _join(stranger, "OI0-1L", "Aya")

    assert response.status_code == 400
    assert "A join code has 6 letters and digits, like K7P-4QM." in response.text


def test_join_an_expired_session_says_it_has_ended(stranger: Client, session: StudySession) -> None:
    StudySession.objects.filter(pk=session.pk).update(expires_at=timezone.now())

    response = _join(stranger, session.code, "Aya")

    assert response.status_code == 400
    assert "No live session has this code." in response.text


def test_join_an_ended_session_is_refused(
    instructor: Client, stranger: Client, session: StudySession
) -> None:
    instructor.post(f"/sessions/{session.public_id}/end/")

    response = _join(stranger, session.code, "Aya")

    assert response.status_code == 400
    assert StudySession.objects.get().ended_at is not None


def test_nicknames_are_unique_ignoring_case_and_width(session: StudySession) -> None:
    _join(Client(), session.code, "Aya")

    response = _join(Client(), session.code, "ＡＹＡ")

    assert response.status_code == 400
    assert (
        "Someone in this session already uses “AYA” (nicknames differing only in upper and lower"
        " case or in width count as the same). Pick another." in response.text
    )
    assert Participant.objects.count() == 1


def test_nickname_markup_is_escaped_in_the_lobby(instructor: Client, session: StudySession) -> None:
    _join(Client(), session.code, "<b>x</b>")

    pages = [
        instructor.get(f"/sessions/{session.public_id}/{screen}/").text
        for screen in ("console", "present")
    ]

    assert ["&lt;b&gt;x&lt;/b&gt;" in page for page in pages] == [True, True]
    assert ["<b>x</b>" in page for page in pages] == [False, False]


def test_guessing_is_throttled_per_address(
    stranger: Client, session: StudySession, settings
) -> None:
    settings.KUMOBEN_JOIN_FAILURES_PER_IP = 3
    for guess in ["222222", "333333", "444444"]:
        _join(stranger, guess, "Aya")

    response = _join(stranger, session.code, "Aya")
    elsewhere = _join(Client(), session.code, "Ben", REMOTE_ADDR="10.0.0.9")

    assert response.status_code == 429
    assert "Too many tries from your network." in response.text
    assert elsewhere.status_code == 302
    assert JoinAttempt.objects.filter(ip="127.0.0.1", ok=False).count() == 3


def test_behind_trusted_proxies_guessing_is_counted_against_the_forwarded_address(
    session: StudySession, settings
) -> None:
    settings.KUMOBEN_JOIN_FAILURES_PER_IP = 2
    settings.KUMOBEN_PROXY_HOPS = 2
    # The inner proxy (10.0.0.5) connects to the app and appends the outer proxy's address
    # (10.0.0.4); the outer one appended the client's. Whatever a client prepends, the address
    # the outer proxy saw is the one counted.
    proxy = {"REMOTE_ADDR": "10.0.0.5"}
    for spoofed in ["1.1.1.1", "2.2.2.2"]:
        forwarded = f"{spoofed}, 203.0.113.7, 10.0.0.4"
        _join(Client(), "222222", "Aya", HTTP_X_FORWARDED_FOR=forwarded, **proxy)

    forwarded = "203.0.113.7, 10.0.0.4"
    blocked = _join(Client(), session.code, "Aya", HTTP_X_FORWARDED_FOR=forwarded, **proxy)
    forwarded = "x, 198.51.100.4, 10.0.0.4"
    other = _join(Client(), session.code, "Ben", HTTP_X_FORWARDED_FOR=forwarded, **proxy)
    garbage = _join(Client(), session.code, "Cho", HTTP_X_FORWARDED_FOR="not-an-ip", **proxy)

    assert (blocked.status_code, other.status_code, garbage.status_code) == (429, 302, 302)
    assert list(JoinAttempt.objects.order_by("pk").values_list("ip", "ok")) == [
        ("203.0.113.7", False),
        ("203.0.113.7", False),
        ("198.51.100.4", True),
        ("10.0.0.5", True),
    ]


def test_without_proxy_hops_the_forwarded_header_is_ignored(session: StudySession) -> None:
    _join(Client(), "222222", "Aya", HTTP_X_FORWARDED_FOR="203.0.113.7", REMOTE_ADDR="10.0.0.5")

    assert list(JoinAttempt.objects.values_list("ip", flat=True)) == ["10.0.0.5"]


def test_joining_is_throttled_per_session(session: StudySession, settings) -> None:
    settings.KUMOBEN_JOINS_PER_SESSION_MINUTE = 2
    _join(Client(), session.code, "A", REMOTE_ADDR="10.0.0.1")
    _join(Client(), session.code, "B", REMOTE_ADDR="10.0.0.2")

    response = _join(Client(), session.code, "C", REMOTE_ADDR="10.0.0.3")

    assert response.status_code == 429
    assert "Many people are joining right now." in response.text
    assert Participant.objects.count() == 2


def test_room_without_a_token_sends_the_visitor_to_the_join_page(
    stranger: Client, session: StudySession
) -> None:
    response = stranger.get(f"/sessions/{session.public_id}/")

    assert (response.status_code, response["Location"]) == (302, "/sessions/")


def test_slides_are_for_members_only(stranger: Client, session: StudySession) -> None:
    refused = stranger.get(f"/sessions/{session.public_id}/slides/2/")
    _join(stranger, session.code, "Aya")

    allowed = stranger.get(f"/sessions/{session.public_id}/slides/2/", HTTP_HX_REQUEST="true")

    assert refused.status_code == 404
    assert allowed.status_code == 200
    assert "Slide 2" in allowed.text


def test_live_codes_are_unique_and_reusable_after_the_end(session: StudySession) -> None:
    other = _user("other", instructor=True)
    draws = iter([session.code, session.code, "ABCDEF"])

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(joining, "generate_code", lambda: next(draws))
        second = joining.create_session(other, "Second")
        joining.end_session(second)
        joining.end_session(session)
        patch.setattr(joining, "generate_code", lambda: session.code)
        third = joining.create_session(other, "Third")

    assert (second.code, third.code) == ("ABCDEF", session.code)


def _played_session(session: StudySession) -> tuple[Participant, Participant]:
    aya, _ = joining.join(session, "=cmd|' /C calc'!A0")
    ben, _ = joining.join(session, "Ben")
    log.apply_command(
        session.pk,
        *log.validate_command(
            {
                "type": "poll.open",
                "kind": "choice",
                "prompt": "Which task?",
                "choices": ["inventory-1", "inventory-2"],
                "correct": 1,
                "scored": True,
            },
            10,
        ),
    )
    poll_id = StudySession.objects.get(pk=session.pk).state["poll"]["id"]
    polls.answer(aya, {"poll": poll_id, "choice": 1})
    polls.answer(ben, {"poll": poll_id, "choice": 0})
    log.apply_command(session.pk, "poll.reveal", {})
    return aya, ben


def test_report_shows_each_question_and_student(instructor: Client, session: StudySession) -> None:
    _played_session(session)

    page = instructor.get(f"/sessions/{session.public_id}/report/")

    assert page.status_code == 200
    assert "Q1: Which task?" in page.text
    assert "2 answered, 1 right" in page.text
    assert page.text.count('class="bar bar--correct"') == 1
    assert "=cmd|&#x27; /C calc&#x27;!A0" in page.text


def test_report_csv_defuses_formulas_and_lists_answers(
    instructor: Client, session: StudySession
) -> None:
    _played_session(session)

    response = instructor.get(f"/sessions/{session.public_id}/report.csv")

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert rows[0] == [
        "nickname",
        "joined_at (UTC)",
        "last_seen (UTC)",
        "question",
        "prompt",
        "answer",
        "correct",
        "answered_at (UTC)",
        "score",
    ]
    assert [(r[0], r[3], r[4], r[5], r[6], r[8]) for r in rows[1:]] == [
        ("'=cmd|' /C calc'!A0", "1", "Which task?", "inventory-2", "yes", "100"),
        ("Ben", "1", "Which task?", "inventory-1", "no", "0"),
    ]


def test_leaderboard_counts_revealed_scored_polls(session: StudySession) -> None:
    _played_session(session)

    assert polls.leaderboard(session.pk) == [{"nickname": "=cmd|' /C calc'!A0", "score": 100}]


def test_end_view_ends_the_session_and_logs_it(instructor: Client, session: StudySession) -> None:
    response = instructor.post(f"/sessions/{session.public_id}/end/")

    session.refresh_from_db()
    assert response["Location"] == f"/sessions/{session.public_id}/report/"
    assert session.ended_at is not None
    assert list(session.commands.values_list("seq", "kind")) == [(1, "end")]
    assert session.state["ended"] is True


def test_createinstructor_creates_a_user_with_the_permission(monkeypatch) -> None:
    monkeypatch.setenv("NEW_PW", "a-long-Passphrase-42")
    out = io.StringIO()

    call_command("createinstructor", "sensei", "--password-env", "NEW_PW", stdout=out)

    user = get_user_model().objects.get(username="sensei")
    assert out.getvalue() == "Created instructor 'sensei'.\n"
    assert user.has_perm("patterns.run_study_sessions")
    assert user.check_password("a-long-Passphrase-42")


def test_createinstructor_promotes_an_existing_user() -> None:
    _user("student", instructor=False)

    call_command("createinstructor", "student", stdout=io.StringIO())

    assert get_user_model().objects.get(username="student").has_perm("patterns.run_study_sessions")


def test_createinstructor_refuses_a_weak_password(monkeypatch) -> None:
    monkeypatch.setenv("NEW_PW", "123")

    with pytest.raises(CommandError, match="too short"):
        call_command("createinstructor", "sensei", "--password-env", "NEW_PW")

    assert not get_user_model().objects.filter(username="sensei").exists()


def test_a_lesson_session_shows_the_lesson_steps_as_slides(instructor: Client) -> None:
    slug = slides.lesson_choices("en")[0][0]
    steps = slides.lesson_steps(slug, "en")
    assert steps is not None

    response = instructor.post("/sessions/new/", {"title": "With a lesson", "lesson": slug})
    session = StudySession.objects.get()
    page = instructor.get(response["Location"])
    last = instructor.get(f"/sessions/{session.public_id}/slides/{len(steps)}/")

    assert session.lesson_slug == slug
    assert slides.slide_count(session.lesson_slug, log.MAX_SLIDE) == len(steps)
    assert f"Slide 1 of {len(steps)}" in page.text
    assert escape(steps[0]["title"]) in page.text
    assert escape(steps[-1]["title"]) in last.text


def test_admin_lists_sessions_and_grants_the_instructor_permission(session: StudySession) -> None:
    admin = Client()
    admin.force_login(get_user_model().objects.create_superuser("root", password="pw-unused-123"))

    listing = admin.get("/admin/patterns/studysession/")
    detail = admin.get(f"/admin/patterns/studysession/{session.pk}/change/")
    user_page = admin.get(f"/admin/auth/user/{session.owner_id}/change/")

    assert (listing.status_code, detail.status_code, user_page.status_code) == (200, 200, 200)
    assert session.display_code in listing.text
    assert "Can run instructor-led study sessions" in user_page.text


def test_console_offers_the_lessons_quiz_as_polls(instructor: Client) -> None:
    owner = get_user_model().objects.get(username="instructor")
    with_lesson = joining.create_session(owner, "Summary", lesson_slug="summary")
    without = joining.create_session(owner, "Free talk")

    page = instructor.get(f"/sessions/{with_lesson.public_id}/console/")
    bare = instructor.get(f"/sessions/{without.public_id}/console/")

    data = re.search(r'<script id="lesson-polls" type="application/json">(.*?)</script>', page.text)
    assert data is not None

    # Each load draws an attempt (variants, choice order): the polls ask what one of them asks.
    def asked(offered: list[dict]) -> list[tuple[str, str | None]]:  # type: ignore[type-arg]
        return [
            (p["prompt"], None if p["correct"] is None else p["choices"][p["correct"]])
            for p in offered
        ]

    offered = json.loads(data.group(1))
    # Every variant of every written concept (the summary's drawn questions are typed numbers
    # or carry an exhibit, which a poll cannot show); the choices in an order this load drew.
    lesson = library.lesson("summary", "en")
    assert lesson is not None
    (directive,) = quiz.lesson_quizzes(lesson)
    variants = [(key, q) for key, group in quiz.written(directive) for q in group]
    assert [(p["concept"], p["prompt"]) for p in offered] == [
        (key, _plain(q.prompt)) for key, q in variants
    ]
    assert [sorted(p["choices"]) for p in offered] == [
        sorted(_plain(c) for c in q.choices) for _key, q in variants
    ]
    assert asked(offered) == [
        (_plain(q.prompt), None if q.multiple else _plain(q.shown_answer())) for _key, q in variants
    ]
    select = page.text.split('id="poll-preset"', 1)[1].split("</select>", 1)[0]
    assert re.findall(r'<option value="(\d*)"', select) == ["", *map(str, range(len(variants)))]
    assert "Step 4: A Lambda function attached to your VPC must call one of your ECS" in page.text
    assert "(several right answers: not scored)" in page.text
    assert "Step 4: Which callers can use a Service Connect name?" in page.text
    assert 'id="poll-preset"' not in bare.text


def test_console_question_bank_shows_every_variant_and_its_answer_the_projector_none(
    instructor: Client,
) -> None:
    owner = get_user_model().objects.get(username="instructor")
    session = joining.create_session(owner, "ELB", lesson_slug="elb")

    console = instructor.get(f"/sessions/{session.public_id}/console/").text
    projector = instructor.get(f"/sessions/{session.public_id}/present/").text

    data = re.search(r'<script id="lesson-polls" type="application/json">(.*?)</script>', console)
    assert data is not None
    offered = json.loads(data.group(1))
    bank = console.split('id="question-bank"', 1)[1]
    concepts = list(dict.fromkeys(p["concept"] for p in offered))
    assert bank.count('data-testid="bank-concept"') == len(concepts) == 3
    assert bank.count('data-testid="bank-variant"') == len(offered)
    assert bank.count("<summary>Show the answer</summary>") == len(offered)
    assert re.findall(r'data-preset="(\d+)"', bank) == [str(p["index"]) for p in offered]
    first = [p for p in offered if p["concept"] == concepts[0]]
    assert f"Question 1 (step 8): {len(first)} variants" in bank
    for p in offered:
        assert escape(p["explanation"]) in bank and escape(p["answer"]) in bank
        assert escape(p["explanation"]) not in projector
    assert 'id="question-bank"' not in projector and 'id="lesson-polls"' not in projector


def test_projector_shows_the_room_screen_without_any_control_or_answer(
    instructor: Client, session: StudySession
) -> None:
    page = instructor.get(f"/sessions/{session.public_id}/present/")
    console = instructor.get(f"/sessions/{session.public_id}/console/")

    assert page.status_code == 200
    assert f'data-ws-path="/ws/sessions/{session.public_id}/?view=projector"' in page.text
    assert f'aria-label="Join code {session.display_code}"' in page.text
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="qr"' in page.text
    assert 'data-started="false"' in page.text
    # The controls and the lesson's questions (with their answers) live on the console only.
    controls = ['id="poll-form"', 'id="sim-start"', f'action="/sessions/{session.public_id}/end/"']
    assert [(c in page.text, c in console.text) for c in controls] == [(False, True)] * 3
    assert 'id="lesson-polls"' not in page.text
    assert f'href="/sessions/{session.public_id}/present/"' in console.text


def test_projector_puts_the_join_code_aside_once_the_class_starts(
    instructor: Client, session: StudySession
) -> None:
    log.apply_command(session.pk, "highlight", {"el": "task-inventory-1"})
    waiting = instructor.get(f"/sessions/{session.public_id}/present/")
    log.apply_command(session.pk, "slide", {"slide": 2, "step": 0})
    started = instructor.get(f"/sessions/{session.public_id}/present/")

    assert 'data-started="false"' in waiting.text
    assert 'data-started="true"' in started.text


def test_students_and_strangers_cannot_open_the_projector_or_console(
    stranger: Client, session: StudySession
) -> None:
    _join(stranger, session.code, "Aya")

    responses = [
        stranger.get(f"/sessions/{session.public_id}/{screen}/")
        for screen in ("present", "console")
    ]

    assert [r.status_code for r in responses] == [302, 302]
    assert all(r["Location"].startswith("/accounts/login/") for r in responses)


def test_console_poll_form_has_as_many_choices_as_its_message_says(
    instructor: Client, session: StudySession
) -> None:
    page = instructor.get(f"/sessions/{session.public_id}/console/").text

    assert page.count('<input name="choice"') == polls.MAX_CHOICES == 6
    assert "Choices: fill in 2 to 6, mark the right one" in page
    assert (
        'id="poll-seconds"' in page and "5 to 600; the poll stops taking answers by itself." in page
    )


def test_a_lesson_slide_brings_its_stage_and_the_player_to_make_it_live(
    instructor: Client,
) -> None:
    owner = get_user_model().objects.get(username="instructor")
    session = joining.create_session(owner, "ELB", lesson_slug="elb")
    log.apply_command(session.pk, "slide", {"slide": 4, "step": 0})

    slide = instructor.get(f"/sessions/{session.public_id}/slides/4/")
    projector = instructor.get(f"/sessions/{session.public_id}/present/")
    first = instructor.get(f"/sessions/{session.public_id}/slides/1/")

    assert 'class="slide slide--staged slide--player"' in slide.text
    assert 'class="embed embed-player" data-scenario=' in slide.text
    assert "<template data-lesson-player>" in projector.text
    assert 'class="embed embed-diagram"' in first.text and "<svg" in first.text


def test_a_classmate_typing_wrong_codes_does_not_lock_out_the_school(
    session: StudySession,
) -> None:
    # Review D6: one browser behind the school's NAT address sends wrong codes; it waits,
    # the others on that address still join with the right code.
    prankster = Client()
    answers = [_join(prankster, f"{n}{n}{n}{n}{n}{n}", "P").status_code for n in range(2, 10)]
    answers += [_join(prankster, code, "P").status_code for code in ("AAAAAA", "BBBBBB")]
    refused = _join(prankster, session.code, "Prankster")
    classmate = _join(Client(), session.code, "Aya")

    assert answers == [400] * 10
    assert refused.status_code == 429
    assert "Too many wrong codes from this browser." in refused.text
    assert classmate.status_code == 302


def test_malformed_codes_are_not_counted_as_guesses(session: StudySession, settings) -> None:
    settings.KUMOBEN_JOIN_FAILURES_PER_IP = 3
    client = Client()
    malformed = [_join(client, code, "Aya").status_code for code in ["K7P", "0O1IL0", "?"] * 5]

    assert malformed == [400] * 15
    assert _join(client, session.code, "Aya").status_code == 302
    assert JoinAttempt.objects.filter(ok=False).count() == 0


def test_one_address_cannot_flood_a_room(session: StudySession, settings) -> None:
    # Review D5: fresh cookie jars from one address; the room's own minute stays open to others.
    settings.KUMOBEN_JOINS_PER_IP_SESSION_MINUTE = 5
    flood = [_join(Client(), session.code, f"bot{n:03d}").status_code for n in range(7)]
    student = _join(Client(), session.code, "Aya", REMOTE_ADDR="10.0.0.9")

    assert flood == [302] * 5 + [429] * 2
    assert student.status_code == 302
    assert Participant.objects.count() == 6
