"""An instructor's account: signed-in-as and sign-out in the header, "My sessions", and the
report CSV with a BOM and times in the viewer's time zone."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client

from patterns.sessions import joining
from patterns.sessions.models import Answer, Participant, StudySession
from tests.sessions.test_views import _played_session

pytestmark = [pytest.mark.unit, pytest.mark.django_db]

JOINED = dt.datetime(2026, 12, 6, 17, 40, 5, tzinfo=dt.timezone.utc)


def _user(username: str, instructor: bool):
    user = get_user_model().objects.create_user(username, password="pw-unused-123")
    if instructor:
        user.user_permissions.add(Permission.objects.get(codename="run_study_sessions"))
    return user


@pytest.fixture
def sensei():
    # sensei: an instructor who has run two sessions, one ended.
    return _user("sensei", instructor=True)


@pytest.fixture
def instructor(sensei) -> Client:
    client = Client()
    client.force_login(sensei)
    return client


@pytest.fixture
def student() -> Client:
    # student: signed in, without the instructor permission.
    client = Client()
    client.force_login(_user("student", instructor=False))
    return client


def test_header_says_who_is_signed_in_and_offers_sign_out(instructor: Client) -> None:
    page = instructor.get("/")

    assert "Signed in as <strong>sensei</strong>" in page.text
    assert 'data-testid="my-sessions-link"' in page.text
    assert 'action="/accounts/logout/" method="post"' in page.text
    assert 'href="/accounts/login/"' not in page.text


def test_header_of_a_student_account_has_no_my_sessions_link(student: Client) -> None:
    page = student.get("/", HTTP_ACCEPT_LANGUAGE="ja")

    assert "<strong>student</strong> でサインイン中" in page.text
    assert "サインアウト" in page.text
    assert 'data-testid="my-sessions-link"' not in page.text


def test_anonymous_header_has_no_account_and_the_footer_offers_sign_in() -> None:
    page = Client().get("/")

    assert 'data-testid="account"' not in page.text
    assert 'href="/accounts/login/"' in page.text
    assert 'href="/accounts/login/?next=/" data-testid="sign-in"' in page.text  # the header's


def test_sign_out_ends_the_session_and_goes_home(instructor: Client) -> None:
    response = instructor.post("/accounts/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert instructor.get("/sessions/mine/")["Location"] == "/accounts/login/?next=/sessions/mine/"


def test_my_sessions_lists_only_mine_with_counts_and_reports(sensei, instructor: Client) -> None:
    first = joining.create_session(sensei, "ELB deep dive")
    _played_session(first)
    joining.create_session(_user("other", instructor=True), "Not mine")
    second = joining.create_session(sensei, "Service Connect")

    page = instructor.get("/sessions/mine/")

    assert page.status_code == 200
    assert page.text.count('data-testid="my-session"') == 2
    assert "Not mine" not in page.text
    assert page.text.index("Service Connect") < page.text.index("ELB deep dive")
    assert f'href="/sessions/{first.public_id}/report/"' in page.text
    assert f'href="/sessions/{second.public_id}/report.csv" data-add-tz download' in page.text
    assert "<td>2</td>\n      <td>1</td>" in page.text  # two students, one question


def test_my_sessions_says_so_when_there_are_none(instructor: Client) -> None:
    page = instructor.get("/sessions/mine/", HTTP_ACCEPT_LANGUAGE="ja")

    assert "まだ勉強会を開いていません。" in page.text


def test_my_sessions_is_for_instructors_only(student: Client) -> None:
    assert student.get("/sessions/mine/").status_code == 403
    assert Client().get("/sessions/mine/").status_code == 302


def _played_at_fixed_times(sensei) -> StudySession:
    session = joining.create_session(sensei, "ELB deep dive")
    _played_session(session)
    Participant.objects.filter(session=session).update(joined_at=JOINED, last_seen=None)
    Answer.objects.filter(poll__session=session).update(
        answered_at=JOINED + dt.timedelta(minutes=3)
    )
    return session


def test_report_csv_starts_with_a_bom_and_gives_times_in_the_asked_zone(
    sensei, instructor: Client
) -> None:
    session = _played_at_fixed_times(sensei)

    response = instructor.get(f"/sessions/{session.public_id}/report.csv?tz=Asia/Tokyo")

    assert response.content.startswith(b"\xef\xbb\xbfnickname,")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][1:3] == ["joined_at (Asia/Tokyo)", "last_seen (Asia/Tokyo)"]
    assert [(r[0], r[1], r[2], r[7]) for r in rows[1:]] == [
        ("'=cmd|' /C calc'!A0", "2026-12-07 02:40:05", "", "2026-12-07 02:43:05"),
        ("Ben", "2026-12-07 02:40:05", "", "2026-12-07 02:43:05"),
    ]


def test_report_csv_without_a_zone_is_in_utc(sensei, instructor: Client) -> None:
    session = _played_at_fixed_times(sensei)

    response = instructor.get(f"/sessions/{session.public_id}/report.csv")

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert (rows[0][1], rows[1][1]) == ("joined_at (UTC)", "2026-12-06 17:40:05")


@pytest.mark.parametrize("zone", ["Mars/Olympus", "../../etc/passwd", "x" * 300])
def test_report_csv_refuses_an_unknown_zone_naming_the_field(
    sensei, instructor: Client, zone: str
) -> None:
    session = joining.create_session(sensei, "ELB deep dive")

    response = instructor.get(f"/sessions/{session.public_id}/report.csv", {"tz": zone})

    assert response.status_code == 400
    assert response.text == (
        f"tz: {zone[:64]} is not a time zone; use a name such as Asia/Tokyo or UTC."
    )
