"""Trace events as sentences, in Japanese and English.

``narrate(event, lang)`` turns one event from ``result()["events"]`` (or ``advance()``) into one
sentence: ``"60 s: Task inventory-2 reached STOPPED; its IP no longer answers."``. AWS and Envoy
terms (ALB, target group, Envoy, Cloud Map, Route 53, TTL, round robin ...) stay in English in both
languages. The sentence is chosen by the event's ``cause``; the names in it come from the event's
fields (``task``/``host``/``target``, ``node``, ``proxy``, ``client``, ``service``, ``to``, ``az``,
``record``, ``reason``, ...). A part in ``[...]`` of a template is said only when the event has the
fields it names, so an event without optional details still reads as a whole sentence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

LANGS = ("ja", "en")

# cause -> (Japanese, English). Placeholders: see _noun_phrases() and _raw_values().
SENTENCES: dict[str, tuple[str, str]] = {
    # Scenario and lifecycle
    "action_applied": (
        "[{subject}に]{action}を適用しました",
        "{action} was applied[ to {subject}]",
    ),
    "action_skipped": (
        "{task}が存在しないため、{action}は何もしませんでした",
        "{action} did nothing because {task} does not exist",
    ),
    "task_started": (
        "ECS が{task}を起動しました（コンテナが動き出すまでは PENDING です）",
        "ECS launched {task}; it stays PENDING until its containers run",
    ),
    "task_running": (
        "{task}のコンテナが動き出し RUNNING になりました（アプリはまだ準備中かもしれません）",
        "{task} is RUNNING (its application may still be starting)",
    ),
    "app_ready": (
        "{task}のアプリケーションが起動を終え、接続を受け付け始めました",
        "The application in {task} finished starting and now accepts connections",
    ),
    "held_until_app_healthy": (
        "{task}のアプリケーションコンテナが起動しました。dependsOn（condition HEALTHY）で待つコンテナが"
        "あるので、ヘルスチェックに合格するまでタスクは PENDING のままで、どこにも登録されません",
        "The app container of {task} started; a container waits for it with dependsOn (condition"
        " HEALTHY), so the task stays PENDING and is registered nowhere until its health check"
        " passes",
    ),
    "depends_on_healthy_met": (
        "{task}のアプリケーションコンテナがヘルスチェックに合格しました[（PENDING だった時間は {held_s} 秒）]。"
        "待っていたコンテナが起動し、タスクは RUNNING になって登録されます",
        "The app container of {task} passed its health check[ after {held_s} s in PENDING]: the"
        " waiting container starts, so the task becomes RUNNING and is registered",
    ),
    "app_not_ready": (
        "{task}のアプリケーションがまだ起動中のため、接続が拒否されました",
        "The connection to {task} was refused because its application is still starting",
    ),
    "task_stopped": (
        "{task}が STOPPED になり、その IP はもう応答しません",
        "{task} reached STOPPED; its IP no longer answers",
    ),
    "task_killed": (
        "{task}が突然強制終了され、処理中だったリクエストはリセットされました",
        "{task} was killed abruptly and its in-flight requests were reset",
    ),
    "replacement_started": (
        "{service}は必要なタスク数に戻すため{task}を起動しました",
        "{service} started {task} to get back to its desired count",
    ),
    "service_added": (
        "{service}が作成されました[（必要タスク数 {desired}）]",
        "{service} was created[ with a desired count of {desired}]",
    ),
    "scale_out": (
        "{service}の必要タスク数が増えました[（{desired} 個）]",
        "The desired count of {service} went up[ to {desired}]",
    ),
    "scale_in": (
        "{service}の必要タスク数が減り[（{desired} 個）]、新しいタスクから順に停止されます",
        "The desired count of {service} went down[ to {desired}]; the newest tasks are stopped",
    ),
    "deployment_started": (
        "ローリングデプロイが始まり、{service}の新しいタスクが古いタスクと並んで起動します",
        "A rolling deployment of {service} started new tasks beside the old ones",
    ),
    "deployment_step": (
        "新しいタスクが正常になったので、デプロイは古い{task}を停止しました",
        "A new task became healthy, so the deployment stopped {task}, one of the old ones",
    ),
    "deployment_finished": (
        "{service}のデプロイが終わり、古いタスクはすべて置き換わりました",
        "The deployment of {service} finished: every old task has been replaced",
    ),
    "deployment_superseded": (
        "新しいデプロイが[{service}の]未完了のデプロイに取って代わりました[（そのため{task}を停止しました）]",
        "A newer deployment superseded the unfinished one[ of {service}][, so ECS stopped {task}]",
    ),
    "strategy_deployment_started": (
        "{service}の[ {strategy} ]デプロイが始まりました。green[（リビジョン {version}）]が blue の横で"
        "必要タスク数まで起動します（SCALE_UP、まだトラフィックなし）",
        "A[ {strategy}] deployment of {service} started: green[ (revision {version})] scales up to"
        " the full count beside blue (SCALE_UP, no traffic yet)",
    ),
    "test_traffic_shifted": (
        "green のタスクがすべて正常になり、{service}のテストトラフィックが green に向かいます"
        "（TEST_TRAFFIC_SHIFT。本番トラフィックは blue のまま）",
        "Every green task of {service} is healthy, so test traffic goes to green"
        " (TEST_TRAFFIC_SHIFT; production stays on blue)",
    ),
    "production_traffic_shifted": (
        "{service}の本番トラフィックが[ {green_percent} % まで]green に移りました"
        "（PRODUCTION_TRAFFIC_SHIFT[、ステップ {step}/{steps}]）",
        "Production traffic of {service} moved to green[: {green_percent} % now]"
        " (PRODUCTION_TRAFFIC_SHIFT[, step {step} of {steps}])",
    ),
    "bake_time_started": (
        "{service}の本番トラフィックはすべて green です。blue も並んで動き続けます"
        "（BAKE_TIME[、{bake_time_min} 分][、{until} 秒まで]）",
        "All production traffic of {service} is on green; blue keeps running beside it"
        " (BAKE_TIME[, {bake_time_min} min][, until {until} s])",
    ),
    "blue_green_clean_up": (
        "{service}のベイク時間が終わりました。green が新しいリビジョンになり、blue のタスクを停止します"
        "（CLEAN_UP）",
        "The bake time of {service} ended: green is the revision now and blue's tasks are stopped"
        " (CLEAN_UP)",
    ),
    "blue_scaled_in": (
        "CLEAN_UP のため blue の{task}を停止します（登録解除とドレインが先に行われます）",
        "CLEAN_UP stops {task} of blue; it is deregistered and drains first",
    ),
    "deployment_alarm": (
        "{service}のデプロイのアラームが発火しました[（{stage}、green {green_percent} %）]。"
        "green のエラー率[ {error_rate_percent} %]がしきい値[ {threshold_percent} %]を"
        "[ {for_s} 秒]続けて超えました",
        "The deployment alarm of {service} fired[ during {stage} (green {green_percent} %)]:"
        " green's error rate[ ({error_rate_percent} %)] stayed above the threshold"
        "[ of {threshold_percent} %][ for {for_s} s]",
    ),
    "deployment_rolled_back": (
        "{service}のデプロイをロールバックしました[（{stage}、green {green_percent} %）][（{by} による）]。"
        "トラフィックは blue に戻り、green のタスクは停止します",
        "The deployment of {service} was rolled back[ during {stage} (green {green_percent} %)]"
        "[ by {by}]: traffic goes back to blue and green's tasks stop",
    ),
    "green_scaled_in": (
        "ロールバックのため green の{task}を停止します",
        "The rollback stops {task} of green",
    ),
    "rollback_ignored": (
        "{service}には実行中の blue/green・linear・canary デプロイがないため、ロールバックは何もしませんでした",
        "The rollback did nothing: {service} has no blue/green, linear or canary deployment running",
    ),
    "listener_rule_weights": (
        "ECS が{service}のリスナールールの重みを書き換えました[（blue {blue_percent} %、green {green_percent} %）]"
        "[（テストトラフィックを green へ：{test_to_green}）]",
        "ECS rewrote the listener rule weights of {service}[: blue {blue_percent} %, green"
        " {green_percent} %][ (test traffic to green: {test_to_green})]",
    ),
    "sc_route_weights": (
        "Service Connect のプロキシに{service}の新しい重みが届きました"
        "[（blue {blue_percent} %、green {green_percent} %）][（テストトラフィックを green へ：{test_to_green}）]。"
        "クライアントの再デプロイは不要です",
        "The Service Connect proxies received new weights for {service}[: blue {blue_percent} %,"
        " green {green_percent} %][ (test traffic to green: {test_to_green})], with no client redeploy",
    ),
    "sigterm_sent": (
        "ECS エージェントが{task}に SIGTERM を送り、アプリは処理中の仕事を終えて待ち受けをやめます",
        "The ECS agent sent SIGTERM to {task}; the app finishes in-flight work and stops listening",
    ),
    "sigkill_sent": (
        "SIGTERM から stopTimeout が過ぎたため、ECS エージェントが{task}に SIGKILL を送りました",
        "stopTimeout ran out after SIGTERM, so the ECS agent sent SIGKILL to {task}",
    ),
    "exited_after_sigterm": (
        "{task}のアプリは SIGTERM を受けて処理中のリクエストを終え、終了しました",
        "The app in {task} finished its in-flight requests and exited after SIGTERM",
    ),
    "ecs_lost_task": (
        "ECS は到達できなくなった{task}を停止済みとして扱い、代わりのタスクを起動します",
        "ECS gave up on {task}, which it could no longer reach, and replaces it",
    ),
    "ecs_replaced_unhealthy": (
        "ECS は{check}で UNHEALTHY と報告された{task}を停止し、代わりのタスクを起動します",
        "ECS stopped {task} because {check} reported it unhealthy, and starts a replacement",
    ),
    "task_healthy": (
        "ECS は{task}をデプロイで healthy なタスクとして数え始めました[（health status {health_status}）]",
        "ECS now counts {task} as healthy for the deployment[ (health status {health_status})]",
    ),
    "container_health_failed": (
        "{task}のコンテナヘルスチェックがリトライをすべて失敗し、ECS はタスクを UNHEALTHY にしました",
        "The container health check of {task} failed all its retries, so ECS marked it UNHEALTHY",
    ),
    "container_health_recovered": (
        "{task}のコンテナヘルスチェックが再び合格し、コンテナは HEALTHY に戻りました",
        "The container health check of {task} passed again, so the container is HEALTHY",
    ),
    "unhealthy_in_grace_period": (
        "{check}が{task}を UNHEALTHY と報告しましたが、health check grace period 中なので"
        " ECS は[ {until} 秒まで]これを無視します",
        "{check} reported {task} unhealthy, but ECS ignores it during the health check grace"
        " period[ (until {until} s)]",
    ),
    "grace_period_ended_unhealthy": (
        "{task}の health check grace period が終わっても{check}が UNHEALTHY のままなので、"
        "ECS はタスクを停止し、代わりのタスクを起動します",
        "The health check grace period of {task} ended with {check} still reporting it unhealthy,"
        " so ECS stopped it and starts a replacement",
    ),
    "grace_period_ended_healthy": (
        "{task}の health check grace period が終わりました。今は正常なので ECS はタスクをそのまま動かします",
        "The health check grace period of {task} ended and the task is healthy now, so ECS keeps it",
    ),
    "az_outage": (
        "{az}で障害が起き、そこのタスクと ALB ノードに到達できなくなりました",
        "{az} failed: its tasks and load balancer node are unreachable",
    ),
    "az_recovered": (
        "{az}に再び到達できるようになりました",
        "{az} is reachable again",
    ),
    "behaviour_changed": (
        "障害注入アクションで{task}の応答の仕方が変わりました[（{behaviour}）]",
        "A fault action changed how {task} answers[ ({behaviour})]",
    ),
    "setting_changed": (
        "実行中に設定[ {setting} ]が変更されました[（新しい値：{value}）]",
        "A setting[, {setting},] was changed at run time[ (new value: {value})]",
    ),
    # ALB
    "target_registered": (
        "ECS が{task}を ip ターゲットとして登録しました（最初のヘルスチェックに合格するまでは initial）",
        "ECS registered {task} as an ip target; it stays initial until a health check passes",
    ),
    "target_draining": (
        "{task}がターゲットグループから登録解除されて draining になり、新しいリクエストは来なくなりました",
        "{task} was deregistered and is draining: it gets no new requests",
    ),
    "deregistration_delay_elapsed": (
        "{task}の登録解除の遅延（deregistration delay）が過ぎ、残っていたリクエストは切断されました",
        "The deregistration delay of {task} ran out and its remaining requests were cut",
    ),
    "drain_finished_idle": (
        "draining 中の{task}に処理中のリクエストがなくなったので、draining が早めに終わりました",
        "{task} was draining with no in-flight requests left, so draining ended early",
    ),
    "health_check_passed": (
        "{node}から{task}へのヘルスチェックが成功しました",
        "The health check from {node} to {task} passed",
    ),
    "health_check_failed": (
        "{node}から{task}へのヘルスチェックが失敗しました[（{reason}）]",
        "The health check from {node} to {task} failed[ ({reason})]",
    ),
    "healthy_threshold_reached": (
        "ヘルスチェックが規定回数続けて成功したので、{node}は{task}へのルーティングを始めました",
        "Enough consecutive passes: {node} now routes to {task}",
    ),
    "unhealthy_threshold_reached": (
        "ヘルスチェックが規定回数続けて失敗したので、{node}は{task}へのルーティングをやめました",
        "Enough consecutive failures: {node} stops routing to {task}",
    ),
    "fail_open_all_unhealthy": (
        "{node}から見て正常なターゲットが 1 つもないため、全ターゲットに振り分けています（fail open）",
        "No target is healthy for {node}, so it routes to all targets (fail open)",
    ),
    "no_registered_targets": (
        "ターゲットグループに登録済みのターゲットがないため、ALB が 503 を返しました",
        "The target group has no registered targets, so the ALB answered 503",
    ),
    "round_robin": (
        "{picker}が round robin の順番で{task}を選びました",
        "{picker} picked {task} in round-robin order",
    ),
    "least_outstanding_requests": (
        "{picker}が処理中のリクエストが最も少ない{task}を選びました（least outstanding requests）",
        "{picker} picked {task}, the target with the fewest in-flight requests "
        "(least outstanding requests)",
    ),
    "weighted_random": (
        "{picker}が重み付きのランダム選択で{task}を選びました（weighted random）",
        "{picker} picked {task} at random by weight (weighted random)",
    ),
    "slow_start": (
        "{task}は slow start 中で、受け取るリクエストの割合が少しずつ増えています",
        "{task} is in slow start and gets a growing share of requests",
    ),
    "alb_node_removed_from_dns": (
        "{node}の IP がロードバランサーの DNS 応答から外されました",
        "The IP of {node} was taken out of the load balancer's DNS answer",
    ),
    "alb_node_added_to_dns": (
        "{node}の IP がロードバランサーの DNS 応答に戻りました",
        "The IP of {node} is back in the load balancer's DNS answer",
    ),
    "alb_502_reset": (
        "{task}が接続をリセットまたは拒否したため、ALB が 502 を返しました",
        "{task} reset or refused the connection, so the ALB answered 502",
    ),
    "alb_504_connect_timeout": (
        "10 秒以内に{task}へ接続できなかったため、ALB が 504 を返しました",
        "The ALB could not connect to {task} within 10 s, so it answered 504",
    ),
    "alb_504_idle_timeout": (
        "アイドルタイムアウトまでに{task}から応答がなかったため、ALB が 504 を返しました",
        "{task} did not answer within the idle timeout, so the ALB answered 504",
    ),
    # DNS and Cloud Map
    "dns_cache_hit": (
        "{client}が DNS キャッシュを使って{record}を解決しました",
        "{client} resolved {record} from its DNS cache",
    ),
    "dns_cache_miss": (
        "{client}のキャッシュに有効なエントリがないので、{record}をリゾルバーに問い合わせました"
        "[（TTL の残りは {ttl_s} 秒）][。答えのレコードは {records} 件です（{answer}）]",
        "{client} had no fresh cache entry for {record}, so it asked the resolver[, which "
        "answered with {ttl_s} s of TTL left][: {records} records in the answer ({answer})]",
    ),
    "dns_cache_hit_stale": (
        "{client}がキャッシュから{record}を解決しましたが、その答えにはゾーンがもう返さない IP"
        "[ {ip} ]が残っています",
        "{client} resolved {record} from its cache, but the answer still lists an IP[ ({ip})] "
        "the zone no longer serves",
    ),
    "dns_record_added": (
        "ホストゾーンに{record}のレコード[（{ip}）]が追加されました（伝播が終わると見えます）",
        "A record for {record}[ ({ip})] was added to the hosted zone; it shows after propagation",
    ),
    "dns_record_removed": (
        "ホストゾーンから{record}のレコード[（{ip}）]が削除されました（伝播が終わると消えます）",
        "A record for {record}[ ({ip})] was removed from the hosted zone; it goes after propagation",
    ),
    "dns_propagated": (
        "{record}のレコード変更が Route 53 のサーバーに行き渡りました",
        "The record change for {record} reached the Route 53 servers",
    ),
    "dns_nxdomain": (
        "{record}にレコードがなく、名前解決に失敗しました（NXDOMAIN）",
        "{record} had no records, so resolution failed (NXDOMAIN)",
    ),
    "multivalue_answer": (
        "Route 53 が{record}の問い合わせに、正常なレコードを最大 8 件返しました（MULTIVALUE）",
        "Route 53 answered {record} with up to 8 healthy records (MULTIVALUE)",
    ),
    "multivalue_all_unhealthy": (
        "{record}に正常なレコードが 1 件もないため、Route 53 は正常でないレコードを最大 8 件返しました"
        "（MULTIVALUE）",
        "No record of {record} was healthy, so Route 53 answered with up to 8 unhealthy ones "
        "(MULTIVALUE)",
    ),
    "weighted_answer": (
        "Route 53 が{record}の問い合わせに、正常なレコードからランダムに 1 件を返しました（WEIGHTED）",
        "Route 53 answered {record} with one random healthy record (WEIGHTED)",
    ),
    "weighted_all_unhealthy": (
        "{record}に正常なレコードがないため、Route 53 はすべて正常とみなして 1 件を返しました"
        "（WEIGHTED）",
        "No record of {record} was healthy, so Route 53 treated all as healthy and answered one "
        "(WEIGHTED)",
    ),
    "simple_answer": (
        "Route 53 が{record}のレコードセットをそのまま返しました",
        "Route 53 answered {record} with its plain record set",
    ),
    "cloud_map_registered": (
        "ECS が{task}を Cloud Map インスタンスとして登録しました",
        "ECS registered {task} as a Cloud Map instance",
    ),
    "cloud_map_deregistered": (
        "ECS が{task}の Cloud Map インスタンスを登録解除しました",
        "ECS deregistered the Cloud Map instance of {task}",
    ),
    "custom_health_changed": (
        "{task}の Cloud Map カスタムヘルスが[ {status} に]切り替わりました"
        "（API を呼んでから約 30 秒後に反映）",
        "The Cloud Map custom health of {task} changed[ to {status}], "
        "about 30 s after the API call",
    ),
    "client_ip_pick": (
        "{client}が DNS の答えから{task}[（{ip}）]を選びました",
        "{client} picked {task}[ ({ip})] from its DNS answer",
    ),
    # Envoy (App Mesh and Service Connect)
    "least_request_p2c": (
        "{picker}がランダムに選んだ 2 台のうち、処理中のリクエストが少ない{task}を選びました"
        "（least request）",
        "{picker} picked {task}, the less busy of two random hosts (least request)",
    ),
    "random_pick": (
        "{picker}が{task}をランダムに選びました",
        "{picker} picked {task} at random",
    ),
    "panic_mode": (
        "使えるホストが少なすぎるため、{picker}は全ホストに振り分けました（panic mode）",
        "Too few hosts were available, so {picker} balanced across all hosts (panic mode)",
    ),
    "no_healthy_upstream": (
        "{proxy}のクラスター[（{to}）]にホストが 1 つもないため、503 を返しました"
        "（no healthy upstream）",
        "{proxy} had no hosts in the cluster[ for {to}], so it answered 503 (no healthy upstream)",
    ),
    "upstream_connect_error": (
        "{proxy}は{task}に接続できないかストリームをリセットされたため、503 を返しました",
        "{proxy} could not connect to {task} or had the stream reset, so it answered 503",
    ),
    "consecutive_5xx": (
        "{proxy}から見て{task}のエラーが規定回数続き、外れ値として検出されました",
        "{proxy} saw {task} reach the consecutive-error threshold and detected it as an outlier",
    ),
    "outlier_ejected": (
        "[{failure_window_s} 秒以内に {consecutive_errors} 回失敗したため、]"
        "{proxy}の outlier detection が{task}を負荷分散の対象から外しました"
        "[（{ejection_time_s} 秒間）]",
        "[After {consecutive_errors} failures within {failure_window_s} s, ]"
        "outlier detection in {proxy} ejected {task} from the load-balancing set"
        "[ for {ejection_time_s} s]",
    ),
    "outlier_returned": (
        "イジェクト時間が終わり、{task}は定期スイープで{proxy}の負荷分散の対象に戻りました",
        "The ejection time of {task} ran out, and {proxy} took it back at an interval sweep",
    ),
    "max_ejection_percent_refused": (
        "{proxy}は{task}を外れ値として検出しましたが、max_ejection_percent の上限のため"
        "イジェクトしませんでした",
        "{proxy} detected {task} as an outlier, but max_ejection_percent refused to eject it",
    ),
    "retry_on_503": (
        "503 が返ったので、{proxy}がリトライポリシーに従ってもう一度試します",
        "The attempt got 503, so {proxy} tries again under its retry policy",
    ),
    "retry_on_5xx": (
        "5xx[（{reason}）]が返ったので、{proxy}がリトライポリシーに従ってもう一度試します",
        "The attempt got a 5xx[ ({reason})], so {proxy} tries again under its retry policy",
    ),
    "retry_on_connect_failure": (
        "接続に失敗したので、{proxy}がリトライポリシーに従ってもう一度試します",
        "The connection failed, so {proxy} tries again under its retry policy",
    ),
    "retry_on_reset": (
        "上流がストリームをリセットしたので、{proxy}がリトライポリシーに従ってもう一度試します",
        "The upstream reset the stream, so {proxy} tries again under its retry policy",
    ),
    "retry_on_timeout": (
        "試行がタイムアウトしたので、{proxy}がリトライポリシーに従ってもう一度試します",
        "The attempt timed out, so {proxy} tries again under its retry policy",
    ),
    "retry_on_status": (
        "ステータスコード[ {reason} ]が retriable_status_codes に含まれるので、{proxy}がもう一度試します",
        "The status[ ({reason})] is in retriable_status_codes, so {proxy} tries again",
    ),
    "client_retry": (
        "{client}のアプリケーションが自分でリクエストをリトライしました",
        "The application in {client} retried the request itself",
    ),
    "retry_budget_exhausted": (
        "リトライを使い切ったので、エラー[（{reason}）]がそのまま呼び出し元に返ります",
        "The retries were used up, so the error[ ({reason})] goes back to the caller",
    ),
    "route_timeout": (
        "リトライも含めたルートタイムアウトが切れ、504 になりました",
        "The route timeout, which covers all retries, ran out: 504",
    ),
    "per_request_timeout": (
        "Service Connect の per-request timeout が切れ、504 になりました",
        "The Service Connect per-request timeout ran out: 504",
    ),
    "idle_timeout": (
        "アイドルタイムアウトまで何も届かなかったので、接続が閉じられました",
        "Nothing arrived within the idle timeout, so the connection was closed",
    ),
    "client_timeout": (
        "{client}のタイムアウトまでに応答が届かず、リクエストを打ち切りました",
        "{client} gave up waiting for a response",
    ),
    "connect_timeout": (
        "接続タイムアウトまでに{task}へ接続できませんでした",
        "No connection to {task} could be made within the connect timeout",
    ),
    "connection_refused": (
        "{task}のポートが接続を拒否しました",
        "{task} refused the connection",
    ),
    "connection_reset": (
        "リクエストの処理中に{task}との接続がリセットされました",
        "The connection to {task} was reset while the request was in flight",
    ),
    "blackholed": (
        "{task}宛てのパケットが捨てられ、接続が確立しません",
        "Packets to {task} are dropped, so the connection never completes",
    ),
    "weighted_route": (
        "App Mesh のルートが重みに従って virtual node[ {virtual_node} ]を選びました",
        "The App Mesh route picked a virtual node[ ({virtual_node})] by weight",
    ),
    "eds_push": (
        "コントロールプレーンが{service}の新しいエンドポイント一覧をクライアント側のプロキシに配信しました"
        "（EDS）",
        "The control plane pushed a new endpoint list for {service} to the client proxies (EDS)",
    ),
    "dns_refresh": (
        "Envoy の logical DNS クラスターが{record}を解決し直しました（5 秒ごと）",
        "Envoy's logical DNS cluster re-resolved {record} (every 5 s)",
    ),
    "endpoint_unknown_to_client": (
        "{client}は{to}ができる前に起動したため、そのエンドポイントを知らず名前を解決できません"
        "（タスクが置き換えられるまで）",
        "{client} started before {to} existed, so its proxy does not know the endpoint and the name"
        " does not resolve until the task is replaced",
    ),
    "retry_previous_host_skipped": (
        "{proxy}はリトライ先を選び直し、このリクエストで試したホストを避けました"
        "（previous_hosts predicate）",
        "{proxy} picked again for the retry, skipping hosts this request already tried"
        " (previous_hosts predicate)",
    ),
    "proxy_draining": (
        "{task}のプロキシが終了する前に接続をドレインしています（20 秒）",
        "The proxy in {task} is draining connections before it exits (20 s)",
    ),
    # Requests
    "request_sent": (
        "{client}からリクエストが出ました[（宛先：{to}）]",
        "A request left {client}[ for {to}]",
    ),
    "request_ok": (
        "リクエストが正常に終わりました[（{latency_ms} ミリ秒）]",
        "The request completed successfully[ in {latency_ms} ms]",
    ),
    "request_failed": (
        "リクエストがエラー[（{reason}）]で終わり、呼び出し元に返りました",
        "The request ended with an error the caller sees[ ({reason})]",
    ),
    "app_error": (
        "{task}のアプリケーションがエラー[（{reason}）]を返しました",
        "The application in {task} answered with an error[ ({reason})]",
    ),
    "app_slow": (
        "注入された遅延のため、{task}のアプリケーションの応答が遅れました[（+{delay_ms} ミリ秒）]",
        "The application in {task} answered late because of an injected delay[ (+{delay_ms} ms)]",
    ),
}

_REASONS: dict[str, tuple[str, str]] = {
    "connect_refused": ("接続拒否", "connection refused"),
    "connect_timeout": ("接続タイムアウト", "connect timeout"),
    "reset": ("リセット", "reset"),
    "timeout": ("タイムアウト", "timeout"),
    "no_healthy_upstream": ("no healthy upstream", "no healthy upstream"),
    "dns_nxdomain": ("NXDOMAIN", "NXDOMAIN"),
}

# How Route 53 built a DNS answer (the ``answer`` field of dns_cache_miss): Japanese, English.
_ANSWERS: dict[str, tuple[str, str]] = {
    "multivalue_answer": ("MULTIVALUE、正常なレコードから最大 8 件", "MULTIVALUE: up to 8 healthy"),
    "multivalue_all_unhealthy": (
        "MULTIVALUE、正常なレコードがないため正常でないものを最大 8 件",
        "MULTIVALUE: none healthy, so up to 8 unhealthy",
    ),
    "weighted_answer": ("WEIGHTED、正常なレコードから 1 件", "WEIGHTED: one healthy record"),
    "weighted_all_unhealthy": (
        "WEIGHTED、正常なレコードがないためすべて正常とみなして 1 件",
        "WEIGHTED: none healthy, so one of all",
    ),
    "simple_answer": ("レコードセットそのまま", "the plain record set"),
    "dns_nxdomain": ("NXDOMAIN", "NXDOMAIN"),
}

# Which health check reported a task (the ``check`` field): Japanese, English.
_CHECKS: dict[str, tuple[str, str]] = {
    "load_balancer": ("ロードバランサーのヘルスチェック", "the load balancer health check"),
    "container": ("コンテナヘルスチェック", "the container health check"),
}

# Noun phrases: (event fields to try, in order), Japanese form, English form, fallbacks.
_NounRule = tuple[tuple[str, ...], Callable[[str], str], Callable[[str], str], str, str]
_NOUNS: dict[str, _NounRule] = {
    "task": (
        ("task", "host", "target", "instance"),
        lambda v: f"タスク {v}",
        lambda v: f"task {v}",
        "タスク",
        "the task",
    ),
    "node": (
        ("node",),
        lambda v: f"ALB ノード {v}",
        lambda v: f"ALB node {v}",
        "ALB ノード",
        "the ALB node",
    ),
    "proxy": (
        ("proxy",),
        lambda v: f"{v} の Envoy",
        lambda v: f"the Envoy in {v}",
        "Envoy",
        "Envoy",
    ),
    "client": (
        ("client", "source", "proxy", "caller", "from"),
        lambda v: f"クライアント {v}",
        lambda v: f"client {v}",
        "クライアント",
        "the client",
    ),
    "service": (
        ("service",),
        lambda v: f"サービス {v}",
        lambda v: f"service {v}",
        "サービス",
        "the service",
    ),
    "to": (
        ("to",),
        lambda v: f"サービス {v}",
        lambda v: f"service {v}",
        "宛先サービス",
        "the callee",
    ),
    "az": (
        ("az",),
        lambda v: f"アベイラビリティーゾーン {v}",
        lambda v: f"Availability Zone {v}",
        "アベイラビリティーゾーン",
        "an Availability Zone",
    ),
    "record": (
        ("record", "name"),
        lambda v: v,
        lambda v: v,
        "サービス名",
        "the service name",
    ),
    "check": (
        ("check",),
        lambda v: _CHECKS.get(v, (v, v))[0],
        lambda v: _CHECKS.get(v, (v, v))[1],
        "ヘルスチェック",
        "a health check",
    ),
    "action": (
        ("do", "action"),
        lambda v: f"アクション {v}",
        lambda v: f"action {v}",
        "アクション",
        "an action",
    ),
}

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_OPTIONAL = re.compile(r"\[([^\[\]]*)\]")
# Japanese typesetting puts a space between Latin letters or digits and kana/kanji.
_LATIN_THEN_JA = re.compile(r"([A-Za-z0-9%])([\u3040-\u30ff\u4e00-\u9fff])")
_JA_THEN_LATIN = re.compile(r"([\u3040-\u30ff\u4e00-\u9fff])([A-Za-z0-9])")


#: A number and the unit after it (60 秒, 250 ミリ秒, 10 %, 60 s, 120 ms): the space between them.
_NUMBER_UNIT_GAP = re.compile(r"(?<=\d) (?=(?:ミリ秒|秒|分|時間|件|回|%|％|ms|s|min)(?![A-Za-z]))")
NO_BREAK_SPACE = "\u00a0"


def keep_units(text: str) -> str:
    """``text`` with a no-break space between each number and its unit, so that a line never
    ends with "60" and starts the next with "秒" or "%" (for text shown in a narrow column)."""
    return _NUMBER_UNIT_GAP.sub(NO_BREAK_SPACE, text)


def _number(value: float) -> str:
    """Seconds and milliseconds as people write them: 60.0 -> "60", 92.40 -> "92.4"."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return _number(value)
    return str(value)


def _reason(value: str, lang_index: int) -> str:
    if value in _REASONS:
        return _REASONS[value][lang_index]
    if value.startswith("http_"):
        return f"HTTP {value[5:]}"
    return value


def _context(event: Mapping[str, Any], lang_index: int) -> tuple[dict[str, str], set[str]]:
    """Values for every placeholder, and the names whose value came from the event itself."""
    values: dict[str, str] = {}
    present: set[str] = set()
    for key, value in event.items():
        if value is None or isinstance(value, (dict, list)):
            continue
        values[key] = _text(value)
        present.add(key)
    if "reason" in present:
        values["reason"] = _reason(values["reason"], lang_index)
    if "answer" in present:
        values["answer"] = _ANSWERS.get(values["answer"], (values["answer"],) * 2)[lang_index]
    ips = event.get("ips")
    if isinstance(ips, list):  # a DNS answer's records: said as a count
        values["records"] = str(len(ips))
        present.add("records")
    raw = dict(values)
    for name, (fields, ja, en, ja_default, en_default) in _NOUNS.items():
        found = next((raw[f] for f in fields if f in raw), None)
        if found is None:
            values[name] = ja_default if lang_index == 0 else en_default
            present.discard(name)
        else:
            values[name] = (ja if lang_index == 0 else en)(found)
            present.add(name)
    subject = next((name for name in ("task", "service", "az") if name in present), None)
    if subject is not None:
        values["subject"] = values[subject]
        present.add("subject")
    picker = "node" if "node" in present else "proxy" if "proxy" in present else None
    if picker is not None:
        values["picker"] = values[picker]
    else:
        values["picker"] = "ロードバランサー" if lang_index == 0 else "the load balancer"
    return values, present


def _fill(template: str, values: Mapping[str, str], present: set[str]) -> str:
    def optional(match: re.Match[str]) -> str:
        names = _PLACEHOLDER.findall(match.group(1))
        return match.group(1) if all(name in present for name in names) else ""

    with_options = _OPTIONAL.sub(optional, template)
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), with_options)


def _ja_spacing(text: str) -> str:
    text = re.sub(r" {2,}", " ", text)
    text = _LATIN_THEN_JA.sub(r"\1 \2", text)
    text = _JA_THEN_LATIN.sub(r"\1 \2", text)
    return text.replace(" （", "（").replace("） ", "）").replace(" 、", "、")


def narrate(event: Mapping[str, Any], lang: str, *, with_time: bool = True) -> str:
    """One sentence for ``event`` in ``lang`` ("ja" or "en"), prefixed by its time."""
    if lang not in LANGS:
        raise ValueError(f"lang: must be one of {', '.join(LANGS)}, not {lang!r}")
    lang_index = LANGS.index(lang)
    cause = str(event.get("cause", ""))
    templates = SENTENCES.get(cause)
    values, present = _context(event, lang_index)
    if templates is None:
        kind = str(event.get("kind", "event"))
        body = f"{kind}（{cause}）" if lang == "ja" else f"{kind} ({cause})"
    else:
        body = _fill(templates[lang_index], values, present)
    prefix = ""
    time = event.get("t")
    if with_time and isinstance(time, (int, float)):
        prefix = f"{_number(float(time))} 秒: " if lang == "ja" else f"{_number(float(time))} s: "
    if lang == "ja":
        return _ja_spacing(prefix + body.strip() + "。")
    body = body.strip()
    first_word = body.split(" ", 1)[0]
    if first_word.isalpha() and first_word.islower():
        body = body[:1].upper() + body[1:]
    return prefix + body + "."
