"""Events as sentences in Japanese and English."""

from __future__ import annotations

import re

import pytest

from patterns.sim.causes import CAUSES
from patterns.sim.narrate import SENTENCES, narrate

pytestmark = pytest.mark.unit

_JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
_RICH_EVENT = {
    "t": 92.4,
    "kind": "event",
    "task": "inventory-2",
    "node": "alb-ap-northeast-1a",
    "proxy": "contract-1",
    "client": "contract-1",
    "service": "inventory",
    "to": "inventory",
    "az": "ap-northeast-1a",
    "record": "inventory.local",
    "reason": "http_503",
    "do": "kill_task",
    "desired": 4,
    "ip": "10.0.1.2",
    "status": "UNHEALTHY",
    "setting": "alb.algorithm",
    "value": "least_outstanding_requests",
    "ejection_time_s": 30.0,
    "latency_ms": 12.5,
    "delay_ms": 500,
    "virtual_node": "inventory-v2",
    "behaviour": "slow",
}


def test_every_cause_has_a_sentence_in_both_languages() -> None:
    missing = sorted(set(CAUSES) - set(SENTENCES))

    assert missing == []
    assert all(ja.strip() and en.strip() for ja, en in SENTENCES.values())


@pytest.mark.parametrize("cause", sorted(CAUSES))
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_cause_reads_cleanly_with_and_without_details(cause: str, lang: str) -> None:
    minimal = {"t": 3.0, "kind": "event", "cause": cause}

    sentences = [narrate({**_RICH_EVENT, "cause": cause}, lang), narrate(minimal, lang)]

    for sentence in sentences:
        assert not re.search(r"[{}\[\]]|  ", sentence), sentence
        assert sentence.endswith("。" if lang == "ja" else ".")
        assert bool(_JAPANESE.search(sentence)) is (lang == "ja"), sentence


def test_task_stopped_exact_sentences() -> None:
    event = {"t": 60.0, "kind": "task_state", "cause": "task_stopped", "task": "inventory-2"}

    assert (
        narrate(event, "en") == "60 s: Task inventory-2 reached STOPPED; its IP no longer answers."
    )
    assert (
        narrate(event, "ja")
        == "60 秒: タスク inventory-2 が STOPPED になり、その IP はもう応答しません。"
    )


def test_outlier_ejection_exact_sentences() -> None:
    event = {
        "t": 12.3,
        "kind": "outlier_ejected",
        "cause": "outlier_ejected",
        "proxy": "contract-1",
        "host": "inventory-2",
        "ejection_time_s": 30.0,
    }

    assert narrate(event, "en") == (
        "12.3 s: Outlier detection in the Envoy in contract-1 ejected task inventory-2 "
        "from the load-balancing set for 30 s."
    )
    assert narrate(event, "ja") == (
        "12.3 秒: contract-1 の Envoy の outlier detection がタスク inventory-2 を"
        "負荷分散の対象から外しました（30 秒間）。"
    )


def test_health_check_failed_with_reason_exact_sentences() -> None:
    event = {
        "t": 90.0,
        "kind": "health_check",
        "cause": "health_check_failed",
        "node": "1a",
        "task": "inventory-2",
        "reason": "connect_refused",
    }

    assert narrate(event, "en") == (
        "90 s: The health check from ALB node 1a to task inventory-2 failed (connection refused)."
    )
    assert narrate(event, "ja") == (
        "90 秒: ALB ノード 1a からタスク inventory-2 へのヘルスチェックが失敗しました（接続拒否）。"
    )


def test_dns_cache_hit_stale_names_the_client_and_ip() -> None:
    event = {
        "t": 75.25,
        "kind": "dns",
        "cause": "dns_cache_hit_stale",
        "client": "contract-3",
        "record": "inventory.local",
        "ip": "10.0.1.2",
    }

    assert narrate(event, "en") == (
        "75.25 s: Client contract-3 resolved inventory.local from its cache, but the answer "
        "still lists an IP (10.0.1.2) the zone no longer serves."
    )
    assert narrate(event, "ja") == (
        "75.25 秒: クライアント contract-3 がキャッシュから inventory.local を解決しましたが、"
        "その答えにはゾーンがもう返さない IP 10.0.1.2 が残っています。"
    )


def test_optional_detail_is_left_out_when_the_event_lacks_it() -> None:
    event = {"t": 5.0, "kind": "scale", "cause": "scale_out", "service": "billing"}

    assert narrate(event, "en") == "5 s: The desired count of service billing went up."
    assert narrate({**event, "desired": 6}, "en") == (
        "5 s: The desired count of service billing went up to 6."
    )


def test_sentence_starting_with_a_code_word_keeps_its_case() -> None:
    event = {"t": 1.0, "kind": "dns", "cause": "dns_nxdomain", "record": "billing.local"}

    assert narrate(event, "en") == (
        "1 s: billing.local had no records, so resolution failed (NXDOMAIN)."
    )


def test_without_time_prefix() -> None:
    event = {"t": 1.0, "kind": "x", "cause": "connection_refused", "task": "billing-1"}

    assert narrate(event, "en", with_time=False) == "Task billing-1 refused the connection."


def test_unknown_cause_still_gives_a_sentence() -> None:
    event = {"t": 2.5, "kind": "mystery", "cause": "not_a_cause"}

    assert narrate(event, "en") == "2.5 s: Mystery (not_a_cause)."
    assert narrate(event, "ja") == "2.5 秒: mystery（not_a_cause）。"


def test_unknown_language_names_the_field() -> None:
    with pytest.raises(ValueError) as excinfo:
        narrate({"t": 0.0, "kind": "x", "cause": "task_stopped"}, "fr")

    assert str(excinfo.value) == "lang: must be one of ja, en, not 'fr'"


def test_action_applied_names_its_target() -> None:
    event = {"t": 60.0, "kind": "action", "cause": "action_applied", "do": "az_outage", "az": "1c"}

    assert narrate(event, "en") == "60 s: Action az_outage was applied to Availability Zone 1c."
    assert narrate(event, "ja") == (
        "60 秒: アベイラビリティーゾーン 1c にアクション az_outage を適用しました。"
    )
