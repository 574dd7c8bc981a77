from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client

from tests.site.conftest import OpenSocket

pytestmark = [pytest.mark.unit, pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

BROADCAST = "/ws/ops/broadcast/"


@sync_to_async
def _session_cookie(is_staff: bool) -> bytes:
    # instructor-like staff may use operator tools; a plain student may not.
    user: AbstractBaseUser = get_user_model().objects.create_user(
        username="staff" if is_staff else "student", password="pw-not-used", is_staff=is_staff
    )
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def test_ops_broadcast_refuses_anonymous_visitors(open_socket: OpenSocket) -> None:
    _, connected, code = await open_socket(BROADCAST)

    assert (connected, code) == (False, 4403)


async def test_ops_broadcast_refuses_users_who_are_not_staff(open_socket: OpenSocket) -> None:
    _, connected, code = await open_socket(BROADCAST, await _session_cookie(is_staff=False))

    assert (connected, code) == (False, 4403)


async def test_ops_broadcast_reaches_every_staff_client(open_socket: OpenSocket) -> None:
    cookie = await _session_cookie(is_staff=True)
    sender, _, _ = await open_socket(BROADCAST, cookie)
    listener, _, _ = await open_socket(BROADCAST, cookie)

    await sender.send_json_to({"type": "broadcast", "text": "<b>hello</b>"})

    assert await listener.receive_json_from() == {"type": "broadcast", "text": "<b>hello</b>"}
    assert await sender.receive_json_from() == {"type": "broadcast", "text": "<b>hello</b>"}


async def test_ops_broadcast_rejects_empty_or_long_text(open_socket: OpenSocket) -> None:
    sender, _, _ = await open_socket(BROADCAST, await _session_cookie(is_staff=True))

    await sender.send_json_to({"type": "broadcast", "text": "x" * 201})

    assert await sender.receive_json_from() == {
        "type": "error",
        "field": "text",
        "reason": "expected a string of 1 to 200 characters",
    }
