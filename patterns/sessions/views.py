"""Study-session pages: the index with the join form, the instructor's two screens (the
projector, which shows only what the room sees, and the console with every control), the
student room, slides as partials, and the report. Thin: the logic lives in joining, log, polls
and report."""

from __future__ import annotations

import secrets
import time
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from patterns.errors import localized
from patterns.lessons import slides
from patterns.sessions import accounts, broadcast, fields, joining, joinurl, log, polls
from patterns.sessions import report as session_report
from patterns.sessions.forms import CreateSessionForm, JoinForm
from patterns.sessions.models import StudySession
from patterns.sessions.qr import qr_svg

TOKENS_KEY = "study_tokens"
FAILURES_KEY = "study_join_failures"  # this browser's recent wrong codes (epoch seconds)


def _tokens(request: HttpRequest) -> dict[str, str]:
    return dict(request.session.get(TOKENS_KEY, {}))


def _owned(request: HttpRequest, public_id: str) -> StudySession:
    session = get_object_or_404(StudySession, public_id=public_id)
    if session.owner_id != request.user.pk or not joining.is_instructor(request.user):
        raise PermissionDenied
    return session


def _join_url(request: HttpRequest, session: StudySession) -> str:
    return joinurl.join_url(request, session.display_code)


@require_GET
def index(request: HttpRequest, code: str = "") -> HttpResponse:
    return _index(request, JoinForm(initial={"code": code}))


def _index(request: HttpRequest, join_form: JoinForm, status: int = 200) -> HttpResponse:
    context: dict[str, Any] = {"join_form": join_form, "instructor": False}
    if joining.is_instructor(request.user):
        context.update(
            instructor=True,
            create_form=CreateSessionForm(),
            mine=StudySession.objects.filter(owner=request.user)[:20],
        )
    return render(request, "sessions/index.html", context, status=status)


@require_POST
def join(request: HttpRequest) -> HttpResponse:
    form = JoinForm(request.POST)
    ip = joining.client_ip(request)
    browser_waits, failures = joining.browser_throttled(
        list(request.session.get(FAILURES_KEY, [])), time.time()
    )
    if browser_waits:
        form.is_valid()
        form.add_error(
            None, _("Too many wrong codes from this browser. Wait a few minutes, then try again.")
        )
        return _index(request, form, status=429)
    if joining.join_throttled(ip):
        form.is_valid()
        form.add_error(
            None, _("Too many tries from your network. Wait a few minutes, then try again.")
        )
        return _index(request, form, status=429)
    if not form.is_valid():
        # A malformed code can hit no room: the form says what is wrong, nothing is counted.
        return _index(request, form, status=400)
    session = joining.live_session_for_code(form.cleaned_data["code"])
    if session is None:
        joining.record_attempt(ip, None, ok=False)
        request.session[FAILURES_KEY] = [*failures, time.time()]
        form.add_error(
            "code",
            _("No live session has this code. It may be mistyped, or the session has ended."),
        )
        return _index(request, form, status=400)
    if joining.join_throttled(ip, session):
        form.add_error(None, _("Many people are joining right now. Wait a moment, then try again."))
        return _index(request, form, status=429)
    tokens = _tokens(request)
    if joining.participant_for_token(session.pk, tokens.get(session.public_id)):
        return redirect("sessions-room", public_id=session.public_id)
    if joining.is_locked(session):
        # Those who joined come back above; no one new gets in.
        form.add_error(
            "code",
            _(
                "The instructor has locked this session: no one new can join. Ask them to"
                " unlock it."
            ),
        )
        return _index(request, form, status=403)
    try:
        _participant, token = joining.join(session, form.cleaned_data["nickname"])
    except fields.SessionError as error:
        joining.record_attempt(ip, session, ok=False)
        form.add_error(error.field, localized(error))
        return _index(request, form, status=400)
    joining.record_attempt(ip, session, ok=True)
    tokens[session.public_id] = token
    request.session[TOKENS_KEY] = tokens
    return redirect("sessions-room", public_id=session.public_id)


@login_required
@require_POST
def create(request: HttpRequest) -> HttpResponse:
    if not joining.is_instructor(request.user):
        raise PermissionDenied
    form = CreateSessionForm(request.POST)
    if not form.is_valid():
        context = {
            "join_form": JoinForm(),
            "instructor": True,
            "create_form": form,
            "mine": StudySession.objects.filter(owner=request.user)[:20],
        }
        return render(request, "sessions/index.html", context, status=400)
    session = joining.create_session(
        request.user, form.cleaned_data["title"], form.cleaned_data["lesson"]
    )
    return redirect("sessions-console", public_id=session.public_id)


def _slides(session: StudySession) -> list[dict[str, Any]] | None:
    return slides.lesson_steps(session.lesson_slug, get_language() or "en")


def _slide_context(session: StudySession, number: int) -> dict[str, Any]:
    slides = _slides(session)
    total = len(slides) if slides else None
    slide = slides[number - 1] if slides and 1 <= number <= len(slides) else None
    return {
        "session": session,
        "number": number,
        "total": total,
        "slide": slide,
        # The projector and the phones make a slide's player embed live (sessions/slides.js).
        "slide_players": any(s["stage_kind"] == "player" for s in slides or []),
    }


def _screen_context(request: HttpRequest, session: StudySession) -> dict[str, Any]:
    """What both instructor screens show: the current slide, the join code and who is here."""
    join_url = _join_url(request, session)
    return {
        **_slide_context(session, session.state.get("slide", 1)),
        "join_url": join_url,
        "qr": qr_svg(join_url, _("QR code for the join page")),
        "lobby": joining.lobby(session.pk),
        "started": bool(session.state.get("started")),
    }


@login_required
@require_GET
def present(request: HttpRequest, public_id: str) -> HttpResponse:
    """The projector: what the room sees, never the right answer before the reveal."""
    session = _owned(request, public_id)
    return render(request, "sessions/present.html", _screen_context(request, session))


@login_required
@require_GET
def console(request: HttpRequest, public_id: str) -> HttpResponse:
    """The instructor's controls: slides, the shared run, polls, the lesson's questions."""
    session = _owned(request, public_id)
    # Drawn questions get new numbers on each load of the console; the seed goes with a poll
    # opened from one, so the server can find the same question in every language.
    seed = secrets.randbelow(polls.SEED_MAX)
    context = {
        **_screen_context(request, session),
        "slide_titles": [s["title"] for s in (_slides(session) or [])],
        "lesson_polls": polls.from_lesson(session.lesson_slug, get_language(), seed),
        "poll_seed": seed,
        "max_choices": range(polls.MAX_CHOICES),
        "timer_min": polls.TIMER_MIN_S,
        "timer_max": polls.TIMER_MAX_S,
        "locked": joining.is_locked(session),
    }
    return render(request, "sessions/console.html", context)


@require_GET
def room(request: HttpRequest, public_id: str) -> HttpResponse:
    session = get_object_or_404(StudySession, public_id=public_id)
    participant = joining.participant_for_token(session.pk, _tokens(request).get(public_id))
    if participant is None:
        return redirect("sessions")
    context = {**_slide_context(session, session.state.get("slide", 1)), "participant": participant}
    return render(request, "sessions/room.html", context)


@require_GET
def slide(request: HttpRequest, public_id: str, number: int) -> HttpResponse:
    session = get_object_or_404(StudySession, public_id=public_id)
    is_owner = session.owner_id == request.user.pk
    if not is_owner and not joining.participant_for_token(
        session.pk, _tokens(request).get(public_id)
    ):
        raise Http404("no such slide")
    return render(request, "sessions/_slide.html", _slide_context(session, number))


@login_required
@require_POST
def end(request: HttpRequest, public_id: str) -> HttpResponse:
    session = _owned(request, public_id)
    if session.is_live():
        broadcast.send_ended(session.pk, log.apply_command(session.pk, "end", {}))
    return redirect("sessions-report", public_id=public_id)


@login_required
@require_http_methods(["GET", "HEAD"])
def report(request: HttpRequest, public_id: str) -> HttpResponse:
    session = _owned(request, public_id)
    return render(
        request, "sessions/report.html", {"session": session, **session_report.report(session)}
    )


@login_required
@require_GET
def report_csv(request: HttpRequest, public_id: str) -> HttpResponse:
    session = _owned(request, public_id)
    try:
        zone = accounts.viewer_zone(request)
    except accounts.ZoneError as error:
        return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(
        session_report.report_csv(session, zone), content_type="text/csv; charset=utf-8"
    )
    filename = f"kumoben-session-{session.code}-{session.created_at:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def qr(request: HttpRequest, public_id: str) -> HttpResponse:
    session = _owned(request, public_id)
    svg = qr_svg(_join_url(request, session), _("QR code for the join page"))
    return HttpResponse(svg, content_type="image/svg+xml")
