"""The In AWS texts of the engine's catalogue (``IN_AWS``) in Japanese: each entry a learner can
read has a Japanese rendering that follows the engine's English, and the generated notes use it."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from patterns.inaws import texts
from patterns.inaws.generate import generate
from patterns.lessons.content import check_japanese_text
from patterns.sim import PATTERNS, load_scenario
from patterns.sim.scenario import IN_AWS, SETTABLE
from tests.site.test_untranslated import JAPANESE, english_words

pytestmark = pytest.mark.unit

ENTRIES = [
    (setting, entry)
    for setting, entries in IN_AWS.items()
    for entry in entries
    if not texts.only_a_path(entry)
]
#: A number of seconds or milliseconds written as a unit letter after the number.
UNIT_LETTER = re.compile(r"\d\s*(?:ms|s)(?![A-Za-z_])")


def test_the_catalogue_is_all_listed_and_only_it() -> None:
    keys = {texts.in_aws_key(setting, entry) for setting, entry in ENTRIES}

    assert len(ENTRIES) == 30
    assert sorted(keys - set(texts.IN_AWS_TEXTS)) == []
    assert sorted(set(texts.IN_AWS_TEXTS) - keys) == []


@pytest.mark.parametrize(
    ("setting", "entry"), ENTRIES, ids=[texts.in_aws_key(s, e) for s, e in ENTRIES]
)
def test_every_in_aws_text_has_its_japanese(setting: str, entry: object) -> None:
    """The table's English is the engine's, word for word (a changed engine text must be
    translated again); the Japanese differs, reads Japanese, keeps AWS's API paths as they are
    and follows the style rules (full-width punctuation, 秒)."""
    from patterns.sim.scenario import InAws

    assert isinstance(entry, InAws)
    text = texts.IN_AWS_TEXTS[texts.in_aws_key(setting, entry)]
    ja = texts.in_aws_text(setting, entry, "ja")
    paths = re.findall(r"[A-Za-z]+(?:[.\[][\w\[\].]+)+", entry.api)

    assert text.en == entry.api
    assert texts.in_aws_text(setting, entry, "en") == entry.api
    assert ja == text.ja != entry.api
    assert JAPANESE.search(ja)
    assert english_words(ja) == []
    assert check_japanese_text(ja) == []
    assert not UNIT_LETTER.search(ja)
    assert [p for p in paths if p not in ja] == []
    if entry.kind == SETTABLE:
        assert ja.startswith(entry.api.split("; ")[0] + "：")


def test_an_api_path_reads_the_same_in_both_languages() -> None:
    paths = [
        (setting, entry)
        for setting, entries in IN_AWS.items()
        for entry in entries
        if texts.only_a_path(entry)
    ]

    assert len(paths) == 21
    assert [(s, e.api) for s, e in paths if texts.in_aws_text(s, e, "ja") != e.api] == []


def test_a_changed_engine_text_falls_back_to_english_until_translated() -> None:
    from dataclasses import replace

    (entry,) = IN_AWS["client.retries"]
    changed = replace(entry, api="your HTTP client's retries, changed")

    assert texts.in_aws_text("client.retries", entry, "ja") == (
        "アプリケーションの HTTP クライアントによる再試行です。AWS のコンポーネントは再試行しません"
    )
    assert texts.in_aws_text("client.retries", changed, "ja") == changed.api


@pytest.mark.parametrize("pattern", PATTERNS)
def test_the_notes_follow_the_language(pattern: str) -> None:
    """Every note of the sample system under each pattern, with a fixed value changed (a
    what-if), in English and in Japanese."""
    settings = {"ecs": {"deregister_after_stop_s": 7}}
    config = generate(load_scenario({"pattern": pattern, "settings": settings}).to_dict())
    lines = {}
    for lang in ("en", "ja"):
        with translation.override(lang):
            lines[lang] = [note.line() for note in config.notes]
    what_if = {
        lang: next(line for line in said if line.startswith("ecs.deregister_after_stop_s"))
        for lang, said in lines.items()
    }

    assert len(lines["ja"]) == len(lines["en"]) >= 9
    assert [line for line in lines["en"] if JAPANESE.search(line)] == []
    assert [line for line in lines["ja"] if not JAPANESE.search(line)] == []
    assert [line for line in lines["ja"] if english_words(line)] == []
    assert what_if == {
        "en": "ecs.deregister_after_stop_s = 7: what-if, not possible in real ECS (AWS runs 5);"
        " ECS deregisters a stopped task on its own schedule; no API field",
        "ja": "ecs.deregister_after_stop_s = 7：what-if です。実際の ECS ではできません"
        "（AWS では 5）。停止したタスクは ECS が独自のタイミングで登録解除します。"
        "設定する API 項目はありません",
    }
    assert lines["ja"][-1] == (
        "sample.task = 256 CPU ユニット、512 MiB、コンテナ 'app'（ポート 8080）："
        "サンプルシステムのタスクサイズ、コンテナ、/health のパスです。実際には自分のものを"
        "使ってください"
    )


@pytest.mark.parametrize(
    ("pattern", "do"), [(p, do) for p, by_do in texts.METRICS.items() for do in by_do]
)
def test_where_a_fault_shows_reads_in_the_page_language(pattern: str, do: str) -> None:
    """The metrics line of a fault: AWS's metric and dimension names as they are; the words
    around them (units, "by", where there are none) in Japanese on a Japanese page."""
    text = texts.METRICS[pattern][do]

    assert english_words(text.ja) == []
    assert check_japanese_text(text.ja) == []
    assert not UNIT_LETTER.search(text.ja) and "(ms)" not in text.ja
    assert (text.ja == text.en) == (english_words(text.en) == [] and "(" not in text.en)


def test_a_faults_metrics_follow_the_language() -> None:
    assert texts.metrics("elb", "slow_task", "ja") == "AWS/ApplicationELB TargetResponseTime（秒）"
    assert texts.metrics("elb", "slow_task") == "AWS/ApplicationELB TargetResponseTime (seconds)"
    assert texts.metrics("app-mesh", "kill_task", "ja").startswith("Envoy 自身の統計情報")
    assert texts.metrics("elb", "rollback", "ja") == ""


#: A number (or a {placeholder}) and its unit with a space a line may break at.
BREAKABLE_UNIT = re.compile(r"(?:\d|\}) (?:ミリ秒|秒|%|％)")


def test_a_panel_sentence_keeps_a_number_with_its_unit() -> None:
    """The panel's sentences wrap (the notes, in a code block, do not): a number and its 秒 or
    ミリ秒 are joined by a no-break space, so no line starts with the unit."""
    sentences = [
        *texts.UI.values(),
        *texts.FIELDS.values(),
        *texts.EVENTS.values(),
        *texts.FIXED.values(),
        texts.CLIENT,
        texts.MODEL,
        texts.UNUSED,
        texts.WHAT_IF,
        *(text for by_do in texts.METRICS.values() for text in by_do.values()),
    ]

    assert [t.ja for t in sentences if BREAKABLE_UNIT.search(t.ja)] == []
    assert len([t for t in sentences if "\u00a0秒" in t.ja or "\u00a0ミリ秒" in t.ja]) >= 5


def test_a_slow_task_says_its_delay_grouped_in_both_languages() -> None:
    from patterns.inaws.fold import fold

    run = {
        "pattern": "elb",
        "actions": [{"at_s": 5, "do": "slow_task", "task": "inventory-1", "delay_ms": 15000}],
    }
    said = {lang: fold(load_scenario(run), 10, lang)[1][0].text for lang in ("en", "ja")}

    assert said == {
        "en": "the task inventory-1 answers 15,000 ms later: response time rises.",
        "ja": "タスク inventory-1 の応答が 15,000\u00a0ミリ秒遅くなり、応答時間が伸びます。",
    }
