"""Diagrams: the export endpoints (the legend template is tested with STATES, in tests/player)."""

from __future__ import annotations

import base64
import json
import zlib
from typing import Any

import pytest
from django.test import Client

from patterns import diagrams


def _token(data: Any) -> str:
    packed = zlib.compress(json.dumps(data).encode())
    return base64.urlsafe_b64encode(packed).rstrip(b"=").decode()


# --------------------------------------------------------------------------- endpoints


@pytest.mark.parametrize(
    ("fmt", "content_type", "magic"),
    [
        ("svg", "image/svg+xml; charset=utf-8", b"<svg "),
        ("png", "image/png", b"\x89PNG"),
        ("dot", "text/vnd.graphviz; charset=utf-8", b'digraph "kumoben-elb"'),
    ],
)
def test_diagram_view_exports_each_format(
    client: Client, fmt: str, content_type: str, magic: bytes, sample: dict[str, Any]
) -> None:
    token = diagrams.topology_token(sample)

    response = client.get(f"/diagrams/elb.{fmt}", {"t": token})

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response.content.startswith(magic)
    assert response["ETag"] == f'"{diagrams.dot_hash(diagrams.build_dot(sample, "elb"))[:32]}"'


def test_diagram_view_without_token_draws_sample_system(
    client: Client, sample: dict[str, Any]
) -> None:
    response = client.get("/diagrams/service-connect.dot")

    assert response.content.decode() == diagrams.build_dot(sample, "service-connect")


def test_diagram_view_download_sets_attachment(client: Client) -> None:
    response = client.get("/diagrams/app-mesh.svg", {"download": "1"})

    assert response["Content-Disposition"] == 'attachment; filename="kumoben-app-mesh.svg"'


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "/diagrams/consul.svg",
            "pattern: must be one of elb, app-mesh, service-discovery, service-connect\n",
        ),
        ("/diagrams/elb.svg?t=abc", "t: is not zlib-compressed data\n"),
        (
            "/diagrams/elb.png?t=" + _token({"services": [{"name": "X"}]}),
            "services[0].name: must match [a-z][a-z0-9-]{0,39}\n",
        ),
        ("/diagrams/elb.dot?t=" + "A" * 30000, "t: longer than 24,000 characters\n"),
    ],
)
def test_diagram_view_bad_input_is_400_naming_the_field(
    client: Client, url: str, message: str
) -> None:
    response = client.get(url)

    assert response.status_code == 400
    assert response.content.decode() == message


def test_diagram_view_post_is_405(client: Client) -> None:
    response = client.post("/diagrams/elb.svg")

    assert response.status_code == 405
