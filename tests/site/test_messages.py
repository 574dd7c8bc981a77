"""The compiled Japanese catalogue (committed, so serving needs no gettext tools) matches its source.

Branches that both add translations merge the .po text but not the binary .mo; a stale .mo would
silently show English on Japanese pages. This compiles the .po afresh and compares the catalogues.
"""

import gettext
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale" / "ja" / "LC_MESSAGES"


def _catalog(mo_path: Path) -> dict:
    with mo_path.open("rb") as fh:
        return dict(gettext.GNUTranslations(fh)._catalog)  # type: ignore[attr-defined]


def test_committed_mo_matches_po(tmp_path):
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.fail("msgfmt (Debian package gettext) is missing; `make bootstrap` installs it")
    fresh = tmp_path / "django.mo"
    subprocess.run(
        [msgfmt, "--check-format", "-o", str(fresh), str(LOCALE / "django.po")], check=True
    )
    committed = _catalog(LOCALE / "django.mo")
    expected = _catalog(fresh)
    missing = sorted(k for k in expected if k not in committed)
    changed = sorted(k for k in expected if k in committed and committed[k] != expected[k])
    extra = sorted(k for k in committed if k not in expected)
    assert (missing, changed, extra) == ([], [], []), (
        "locale/ja/LC_MESSAGES/django.mo is stale: run "
        "`KUMOBEN_DEBUG=1 .venv/bin/python manage.py compilemessages -l ja --ignore=.venv`"
    )
