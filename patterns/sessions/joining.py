"""Getting into a study session: join codes, the session's lifetime, nicknames, join
throttling and the address it counts against, participant tokens, presence and the lobby."""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from datetime import datetime, timedelta
from typing import Any

import regex
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Value, When
from django.db.models.functions import Greatest
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from patterns.live import client_address
from patterns.sessions.fields import SessionError
from patterns.sessions.log import initial_state
from patterns.sessions.models import JoinAttempt, Participant, StudySession

# 31 characters: digits and capitals without 0/O, 1/I/L, so a code read off a projector is
# never ambiguous. Six of them give 31**6 = 887,503,681 codes.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6
SESSION_LIFETIME = timedelta(hours=12)
#: A nickname is at most this many characters as a person counts them (grapheme clusters: 👩🏽‍💻,
#: 🇯🇵, é written e + ◌́ and 漢 are one each), each of at most GRAPHEME_MAX_CODE_POINTS code points
#: (the longest emoji sequences have 10; a letter buried under marks has more). The column holds
#: the product: NICKNAME_MAX * GRAPHEME_MAX_CODE_POINTS = 320 code points.
NICKNAME_MAX = 20
GRAPHEME_MAX_CODE_POINTS = 16
NICKNAME_MAX_CODE_POINTS = NICKNAME_MAX * GRAPHEME_MAX_CODE_POINTS
_GRAPHEME = regex.compile(r"\X")
# Invisible format characters a nickname may hold: the joiners of emoji and scripts (ZWNJ, ZWJ)
# and the tag characters of subdivision flags (🏴󠁧󠁢󠁳󠁣󠁴󠁿). Other controls, bidirectional overrides
# included, could hide or reorder text on the room's screens.
_ALLOWED_FORMAT = frozenset({0x200C, 0x200D, *range(0xE0020, 0xE0080)})


def generate_code(choose: Any = secrets.choice) -> str:
    return "".join(choose(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text: str) -> str | None:
    """'k7p-4qm ' -> 'K7P4QM'; None when it cannot be a code at all."""
    cleaned = re.sub(r"[\s\-‐-―ー－]", "", unicodedata.normalize("NFKC", text)).upper()
    if len(cleaned) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in cleaned):
        return None
    return cleaned


def end_expired_sessions(now: datetime | None = None) -> int:
    now = now or timezone.now()
    return StudySession.objects.filter(ended_at__isnull=True, expires_at__lte=now).update(
        ended_at=now
    )


def create_session(owner: Any, title: str, lesson_slug: str = "") -> StudySession:
    end_expired_sessions()
    now = timezone.now()
    for _attempt in range(20):
        try:
            with transaction.atomic():
                return StudySession.objects.create(
                    owner=owner,
                    title=title,
                    lesson_slug=lesson_slug,
                    code=generate_code(),
                    public_id=secrets.token_urlsafe(12),
                    created_at=now,
                    expires_at=now + SESSION_LIFETIME,
                    state=initial_state(),
                )
        except IntegrityError:
            continue  # a live session holds this code; draw again
    raise RuntimeError("could not find a free join code after 20 draws")


def live_session_for_code(code: str) -> StudySession | None:
    session = StudySession.objects.filter(code=code, ended_at__isnull=True).first()
    if session is None or not session.is_live():
        return None
    return session


def end_session(session: StudySession) -> None:
    StudySession.objects.filter(pk=session.pk, ended_at__isnull=True).update(
        ended_at=timezone.now()
    )
    session.refresh_from_db()


def is_instructor(user: Any) -> bool:
    return bool(
        user is not None and user.is_authenticated and user.has_perm("patterns.run_study_sessions")
    )


def graphemes(text: str) -> list[str]:
    """The characters of ``text`` as a person counts them (extended grapheme clusters)."""
    return list(_GRAPHEME.findall(text))


def _control(char: str) -> bool:
    category = unicodedata.category(char)
    if category == "Cf":
        return ord(char) not in _ALLOWED_FORMAT
    return category.startswith("C") or category in ("Zl", "Zp")


def normalize_nickname(raw: str) -> tuple[str, str]:
    """The nickname to show and the key that must be unique in a session.

    NFKC folds full-width and compatibility forms ("Ａｙａ" -> "Aya"); casefold then makes
    "AYA" and "aya" the same key. Any character is welcome, emoji sequences and flags included;
    each refusal says which rule the nickname breaks.
    """
    name = " ".join(unicodedata.normalize("NFKC", raw).split())
    if not name:
        raise SessionError("nickname", _("Type a nickname."))
    control = next((c for c in name if _control(c)), None)
    if control is not None:
        raise SessionError(
            "nickname",
            _("Remove the invisible control character %(code)s from the nickname.")
            % {"code": f"U+{ord(control):04X}"},
        )
    clusters = graphemes(name)
    if len(clusters) > NICKNAME_MAX:
        raise SessionError(
            "nickname",
            _(
                "Use at most %(max)d characters (an emoji counts as one); this nickname has"
                " %(count)d."
            )
            % {"max": NICKNAME_MAX, "count": len(clusters)},
        )
    crowded = next((g for g in clusters if len(g) > GRAPHEME_MAX_CODE_POINTS), None)
    if crowded is not None:
        raise SessionError(
            "nickname",
            _(
                "The character “%(char)s” carries too many marks: at most %(max)d code points"
                " make one character."
            )
            % {"char": crowded[0], "max": GRAPHEME_MAX_CODE_POINTS},
        )
    key = unicodedata.normalize("NFKC", name.casefold())
    return name, key


def nickname_key_digest(key: str) -> str:
    """What the database keeps of a nickname's key: its SHA-256, 64 characters whatever the
    key's length (casefold and NFKC may lengthen a name), equal exactly when the keys are."""
    return hashlib.sha256(key.encode()).hexdigest()


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def client_ip(request: HttpRequest) -> str:
    """The address join attempts are counted against.

    Behind KUMOBEN_PROXY_HOPS trusted proxies, it is the address the outermost of them saw: with
    two, ``X-Forwarded-For: spoofed, 203.0.113.7, 10.0.0.5`` gives 203.0.113.7 (a client can
    prepend anything, but not past the proxies). Without proxies, or if the header is missing or
    not an address, the socket's peer.
    """
    peer = str(request.META.get("REMOTE_ADDR") or "0.0.0.0")
    return address_from(peer, request.META.get("HTTP_X_FORWARDED_FOR", ""))


def address_from(peer: str, forwarded_for: str) -> str:
    """client_ip() from the socket's peer and the X-Forwarded-For header (also for sockets)."""
    return client_address(peer, forwarded_for)


#: The window of the wrong-code budgets (per browser: KUMOBEN_JOIN_FAILURES_PER_BROWSER, per
#: address: KUMOBEN_JOIN_FAILURES_PER_IP; both in kumoben/settings.py, set from the environment).
GUESS_WINDOW = timedelta(minutes=5)


def join_throttled(ip: str, session: StudySession | None = None) -> bool:
    """True when this address (or this session) has had too many attempts lately.

    Wrong codes per address count over 5 minutes against a generous budget (a school behind
    one NAT address makes a few dozen typos, a guesser makes thousands; a single browser has
    its own, smaller budget: ``browser_throttled``). Only a code no live session has counts: a
    malformed code can hit no room, and a refused nickname was the right code. Joins to a
    session count over one minute: all of them, and those of one address (a bot flood from
    one address cannot fill the room's minute and lock the class out).
    """
    now = timezone.now()
    guesses = JoinAttempt.objects.filter(
        ip=ip, ok=False, session__isnull=True, at__gte=now - GUESS_WINDOW
    ).count()
    if guesses >= settings.KUMOBEN_JOIN_FAILURES_PER_IP:
        return True
    if session is None:
        return False
    return session_busy(ip, session)


def session_busy(ip: str, session: StudySession) -> bool:
    minute = JoinAttempt.objects.filter(
        session=session, at__gte=timezone.now() - timedelta(minutes=1)
    )
    if minute.count() >= settings.KUMOBEN_JOINS_PER_SESSION_MINUTE:
        return True
    from_ip = minute.filter(ip=ip).count()
    return from_ip >= settings.KUMOBEN_JOINS_PER_IP_SESSION_MINUTE


def browser_throttled(failures: list[float], now: float) -> tuple[bool, list[float]]:
    """The wrong codes one browser sent within GUESS_WINDOW (epoch seconds, kept in its
    Django session) -> whether it must wait, and the list to keep."""
    recent = [t for t in failures if now - t < GUESS_WINDOW.total_seconds()]
    return len(recent) >= settings.KUMOBEN_JOIN_FAILURES_PER_BROWSER, recent


def record_attempt(ip: str, session: StudySession | None, ok: bool) -> None:
    now = timezone.now()
    JoinAttempt.objects.create(ip=ip, session=session, ok=ok, at=now)
    if secrets.randbelow(100) == 0:  # prune now and then; the windows are minutes long
        JoinAttempt.objects.filter(at__lt=now - timedelta(days=1)).delete()


def join(session: StudySession, nickname: str) -> tuple[Participant, str]:
    name, key = normalize_nickname(nickname)
    token = secrets.token_urlsafe(24)
    try:
        with transaction.atomic():
            participant = Participant.objects.create(
                session=session,
                nickname=name,
                nickname_key=nickname_key_digest(key),
                token_hash=_hash_token(token),
            )
    except IntegrityError:
        raise SessionError(
            "nickname",
            _(
                "Someone in this session already uses “%(name)s” (nicknames differing only in"
                " upper and lower case or in width count as the same). Pick another."
            )
            % {"name": name},
        ) from None
    return participant, token


def participant_for_token(
    session_id: int, token: str | None, *, removed: bool = False
) -> Participant | None:
    """The participant this token admits; a removed one only when ``removed`` (to tell them)."""
    if not token:
        return None
    found = Participant.objects.filter(session_id=session_id, token_hash=_hash_token(token))
    if not removed:
        found = found.filter(removed_at__isnull=True)
    return found.first()


def is_locked(session: StudySession) -> bool:
    """The instructor has locked the lobby: no one new may join (those who joined come back)."""
    return bool(session.state.get("locked"))


def set_presence(participant_id: int, online: bool | None = None, following: bool | None = None):
    fields: dict[str, Any] = {"last_seen": timezone.now()}
    if online is not None:
        fields["online"] = online
    if following is not None:
        fields["following"] = following
    Participant.objects.filter(pk=participant_id).update(**fields)


def connected(participant_id: int) -> None:
    """One more open socket of this participant: online."""
    Participant.objects.filter(pk=participant_id).update(
        connections=F("connections") + 1, online=True, last_seen=timezone.now()
    )


def disconnected(participant_id: int) -> None:
    """One socket fewer; offline once none is left (the SET reads the count before it)."""
    Participant.objects.filter(pk=participant_id).update(
        connections=Greatest(F("connections") - 1, 0),
        online=Case(When(connections__gt=1, then=Value(True)), default=Value(False)),
        last_seen=timezone.now(),
    )


def lobby(session_id: int) -> dict[str, Any]:
    """Who has joined, who is connected and who follows. Presence older than 90 s is stale:
    clients ping every 25 s, so a process killed without a clean disconnect stops counting."""
    fresh = timezone.now() - timedelta(seconds=90)
    people = []
    people_here = Participant.objects.filter(session_id=session_id, removed_at__isnull=True)
    for p in people_here.order_by("joined_at", "id"):
        online = p.online and p.last_seen is not None and p.last_seen >= fresh
        people.append(
            {
                "id": p.pk,
                "nickname": p.nickname,
                "online": online,
                "following": online and p.following,
            }
        )
    return {
        "type": "lobby",
        "participants": people,
        "joined": len(people),
        "online": sum(1 for p in people if p["online"]),
        "following": sum(1 for p in people if p["following"]),
    }
