"""Every sentence the "In AWS" panel says about a run's actions, in English and Japanese, each with
the public AWS page it rests on. The panel picks the page's language; API, metric and event names
stay English in both.

Three kinds of action (:func:`patterns.inaws.fold.fold` sorts them):

- configuration: ``set`` on a value a user can set, ``scale``, ``deploy``, ``add_service``: the
  field the generated configuration now shows;
- events: faults and rollbacks are not configuration: what you would see in AWS instead;
- values AWS fixes (a ``set`` on one of them is a what-if): not possible in real ECS.

Code comments may cite the project's own fact files; nothing here does.
"""

from __future__ import annotations

from dataclasses import dataclass

from patterns.aws_docs import (
    ALB_GUIDE,
    APP_MESH_END,
    CLOUD_MAP_API,
    ECS_API,
    ECS_GUIDE,
    ELB_API,
    SC_GUIDE,
)
from patterns.sim.scenario import APP_MESH_RETIRED, SETTABLE, InAws

LANGS = ("en", "ja")


@dataclass(frozen=True)
class Text:
    """One explanation: ``en`` and ``ja`` (``{name}`` fields filled by the caller) and its source."""

    en: str
    ja: str
    source: str = ""

    def say(self, lang: str, **values: object) -> str:
        template = self.ja if lang == "ja" else self.en
        return template.format(**values)


#: The panel's headings and labels.
UI: dict[str, Text] = {
    "at": Text("At {t} s in this run", "この実行の {t}\u00a0秒の時点"),
    "at_help": Text(
        "The configuration below is the run as it stands at the playhead, with the actions up to"
        " it folded in. When the player's playhead passes another action, the panel follows.",
        "下の設定は、再生位置の時点での実行に対応します。再生位置までの操作を反映しています。"
        "プレーヤーの再生位置が次の操作を過ぎると、この表示も更新されます。",
    ),
    "applied": Text("Up to the playhead", "再生位置までの操作"),
    "later": Text(
        "Later in this run (not in the configuration yet)",
        "この実行で後に起きる操作（まだ設定に反映されていません）",
    ),
    "none": Text(
        "No action up to the playhead: this is the configuration the run starts with.",
        "再生位置までに操作はありません。実行開始時の設定です。",
    ),
    "source": Text("Source", "出典"),
    "field": Text("Configuration: it becomes this field", "設定：次の項目に反映されます"),
    "event": Text(
        "Not configuration — in AWS you would see", "設定ではありません。AWS で見えるもの"
    ),
    "fixed": Text("Not possible in real ECS", "実際の ECS ではできません"),
    "client": Text(
        "Not AWS configuration: your application's own code",
        "AWS の設定ではありません（アプリケーション自身のコード）",
    ),
    "model": Text(
        "Not AWS configuration: the simulation's model",
        "AWS の設定ではありません（シミュレーションのモデル）",
    ),
    "unused": Text("Not read by this pattern", "このパターンでは使われません"),
    # The unit after an action's moment (``20 s``, ``20 秒``).
    "seconds": Text("s", "秒"),
}

#: ``set`` on a value a user sets: the API reference page of the resource the field belongs to,
#: chosen by the start of the field's name in :data:`patterns.sim.scenario.IN_AWS`.
FIELD_SOURCES: tuple[tuple[str, str], ...] = (
    ("TaskDefinition", f"{ECS_API}/API_ContainerDefinition.html"),
    ("Service ", f"{ECS_API}/API_UpdateService.html"),
    ("TargetGroup attribute", f"{ELB_API}/API_TargetGroupAttribute.html"),
    ("TargetGroup", f"{ELB_API}/API_ModifyTargetGroup.html"),
    ("LoadBalancer attribute", f"{ELB_API}/API_LoadBalancerAttribute.html"),
    ("Cloud Map", f"{CLOUD_MAP_API}/API_DnsConfig.html"),
    ("ServiceConnectService", f"{ECS_API}/API_ServiceConnectService.html"),
    ("App Mesh", APP_MESH_END),
)

FIELDS: dict[str, Text] = {
    "set": Text(
        "{setting} = {value}: the field {api} shows it from here on.",
        "{setting} = {value}：ここから先は {api} の値として表示されます。",
    ),
    "scale": Text(
        "{service} runs {count} tasks: desiredCount {count} (UpdateService).",
        "{service} のタスク数を {count} にします：desiredCount {count}（UpdateService）。",
        f"{ECS_API}/API_UpdateService.html",
    ),
    "deploy": Text(
        "{service} gets a new task definition revision with the {strategy} strategy:"
        " deploymentConfiguration.strategy {api_strategy} (UpdateService).",
        "{service} に新しいタスク定義リビジョンを {strategy} 戦略でデプロイします："
        "deploymentConfiguration.strategy {api_strategy}（UpdateService）。",
        f"{ECS_API}/API_DeploymentConfiguration.html",
    ),
    "add_service": Text(
        "A new service {service} with {count} tasks: its task definition and CreateService (and"
        " what the pattern needs to reach it) join the configuration.",
        "新しいサービス {service}（タスク {count} 個）：タスク定義と CreateService"
        "（およびパターンがそのサービスに届くために必要なリソース）が設定に加わります。",
        f"{ECS_API}/API_CreateService.html",
    ),
}

#: Faults and rollbacks: what AWS shows you (the task, the service, the metrics by pattern).
_TASK_EVENT = f"{ECS_GUIDE}/ecs_task_events.html"
_ALB_METRICS = f"{ALB_GUIDE}/load-balancer-cloudwatch-metrics.html"
_ALB_TROUBLE = f"{ALB_GUIDE}/load-balancer-troubleshooting.html"
_ECS_METRICS = f"{ECS_GUIDE}/available-metrics.html"

EVENTS: dict[str, Text] = {
    "kill_task": Text(
        'the task {task} stops: EventBridge delivers an "ECS Task State Change" event with'
        " lastStatus STOPPED and a stopCode/stoppedReason, and the service starts a replacement.",
        "タスク {task} が停止します。EventBridge に lastStatus が STOPPED で stopCode と"
        " stoppedReason を含む「ECS Task State Change」イベントが届き、サービスが代わりのタスクを起動します。",
        _TASK_EVENT,
    ),
    "stop_task": Text(
        'the task {task} is stopped (StopTask): an "ECS Task State Change" event with lastStatus'
        " STOPPED and stopCode UserInitiated, then the service starts a replacement.",
        "タスク {task} を停止します（StopTask）。lastStatus が STOPPED で stopCode が UserInitiated の"
        "「ECS Task State Change」イベントが届き、サービスが代わりのタスクを起動します。",
        _TASK_EVENT,
    ),
    "refuse_task": Text(
        "the task {task} refuses connections: no setting does this, it is your application"
        " failing.",
        "タスク {task} が接続を拒否します。設定ではなく、アプリケーションの障害です。",
        _ALB_TROUBLE,
    ),
    "blackhole_task": Text(
        "the network drops packets to {task}: connections to it time out.",
        "{task} へのパケットがネットワークで破棄され、接続がタイムアウトします。",
        _ALB_TROUBLE,
    ),
    "slow_task": Text(
        "the task {task} answers {delay_ms} ms later: response time rises.",
        "タスク {task} の応答が {delay_ms}\u00a0ミリ秒遅くなり、応答時間が伸びます。",
        _ALB_METRICS,
    ),
    "fail_task": Text(
        "the task {task} answers HTTP {status}: the target's 5xx count rises.",
        "タスク {task} が HTTP {status} を返し、ターゲットの 5xx の数が増えます。",
        _ALB_METRICS,
    ),
    "recover_task": Text(
        "the task {task} behaves again: the metrics above return to normal.",
        "タスク {task} が元に戻り、上のメトリクスも通常に戻ります。",
        _ALB_METRICS,
    ),
    "az_outage": Text(
        "the Availability Zone {az} fails: AWS Health reports the event, and metrics per"
        " AvailabilityZone show it.",
        "アベイラビリティーゾーン {az} に障害が起きます。AWS Health がイベントを知らせ、"
        "AvailabilityZone ごとのメトリクスに表れます。",
        "https://docs.aws.amazon.com/health/latest/ug/what-is-aws-health.html",
    ),
    "az_recover": Text(
        "the Availability Zone {az} recovers: the service places tasks there again.",
        "アベイラビリティーゾーン {az} が復旧し、サービスは再びそこにタスクを配置します。",
        "https://docs.aws.amazon.com/health/latest/ug/what-is-aws-health.html",
    ),
    "rollback": Text(
        "{service} rolls back: StopServiceDeployment with stopType ROLLBACK (or an alarm) moves"
        " the service deployment to ROLLBACK_IN_PROGRESS, then ROLLBACK_SUCCESSFUL"
        " (DescribeServiceDeployments).",
        "{service} をロールバックします。StopServiceDeployment（stopType ROLLBACK）またはアラームにより、"
        "サービスデプロイの状態が ROLLBACK_IN_PROGRESS、続いて ROLLBACK_SUCCESSFUL になります"
        "（DescribeServiceDeployments）。",
        f"{ECS_API}/API_StopServiceDeployment.html",
    ),
}

#: Where each pattern's traffic metrics are, for a fault that changes the traffic (metric and
#: dimension names stay AWS's in both languages).
_ELB = "AWS/ApplicationELB"


def _same(names: str) -> Text:
    return Text(names, names)


METRICS: dict[str, dict[str, Text]] = {
    "elb": {
        "refuse_task": _same(f"{_ELB} HTTPCode_ELB_502_Count, UnHealthyHostCount"),
        "blackhole_task": _same(f"{_ELB} HTTPCode_ELB_504_Count, UnHealthyHostCount"),
        "slow_task": Text(
            f"{_ELB} TargetResponseTime (seconds)", f"{_ELB} TargetResponseTime（秒）"
        ),
        "fail_task": _same(f"{_ELB} HTTPCode_Target_5XX_Count"),
        "kill_task": _same(f"{_ELB} UnHealthyHostCount, HealthyHostCount"),
        "az_outage": Text(
            f"{_ELB} HealthyHostCount (AvailabilityZone)",
            f"{_ELB} HealthyHostCount（AvailabilityZone ごと）",
        ),
    },
    "service-connect": {
        "_all": Text(
            "AWS/ECS RequestCount, HTTPCode_Target_5XX_Count, TargetResponseTime (ms) by"
            " DiscoveryName / TargetDiscoveryName; the proxy's access logs",
            "DiscoveryName / TargetDiscoveryName ごとの AWS/ECS RequestCount、"
            "HTTPCode_Target_5XX_Count、TargetResponseTime（ミリ秒）と、プロキシのアクセスログ",
        ),
    },
    "service-discovery": {
        "_all": Text(
            "no traffic metrics from AWS: your client's own errors and logs;"
            " Route 53 Resolver query logs for the names it resolves",
            "AWS からトラフィックのメトリクスは出ません。クライアント自身のエラーとログ、"
            "解決した名前の Route 53 Resolver クエリログで確かめます",
        ),
    },
    "app-mesh": {
        "_all": Text(
            "Envoy's own statistics, which teams exported themselves (App Mesh is retired)",
            "Envoy 自身の統計情報（各チームが自分でエクスポートしていました。"
            "App Mesh はサポート終了済みです）",
        ),
    },
}
METRICS_SOURCES = {
    "elb": _ALB_METRICS,
    "service-connect": _ECS_METRICS,
    "service-discovery": "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-query-logs.html",
    "app-mesh": APP_MESH_END,
}

#: A ``set`` on a value AWS fixes: what AWS does instead (a what-if, never a field).
FIXED: dict[str, Text] = {
    "ecs.deregister_after_stop_s": Text(
        "ECS deregisters a stopped task on its own schedule; no API field sets it.",
        "停止したタスクの登録解除は ECS が独自のタイミングで行い、設定する API 項目はありません。",
        f"{ECS_GUIDE}/ecs_task_events.html",
    ),
    "ecs.lost_task_timeout_s": Text(
        "ECS decides when to replace the tasks of an unreachable Availability Zone; no API field"
        " sets it.",
        "到達できないアベイラビリティーゾーンのタスクをいつ置き換えるかは ECS が決め、設定する API 項目はありません。",
        f"{ECS_GUIDE}/ecs_services.html",
    ),
    "cloud_map.health_propagation_s": Text(
        "Cloud Map applies a custom health status about 30 s after the update;"
        " HealthCheckCustomConfig.FailureThreshold is deprecated and always 1.",
        "Cloud Map はカスタムヘルスチェックの状態を更新から約 30\u00a0秒後に反映します。"
        "HealthCheckCustomConfig.FailureThreshold は非推奨で、常に 1 です。",
        f"{CLOUD_MAP_API}/API_HealthCheckCustomConfig.html",
    ),
    "cloud_map.record_propagation_s": Text(
        "Route 53 propagates record changes to its DNS servers within about 60 s; no API field"
        " sets it.",
        "Route 53 はレコードの変更を約 60\u00a0秒以内に DNS サーバーへ伝播します。設定する API 項目はありません。",
        "https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeResourceRecordSets.html",
    ),
    "envoy.lb_policy": Text(
        "The Service Connect proxy balances round robin; no Service Connect field sets it.",
        "Service Connect のプロキシはラウンドロビンで振り分けます。設定する Service Connect の項目はありません。",
        SC_GUIDE,
    ),
    "envoy.lb_policy@app-mesh": Text(
        "Envoy balanced round robin; App Mesh's API had no field for it.",
        "Envoy はラウンドロビンで振り分けていました。App Mesh の API にはそのための項目がありませんでした。",
        APP_MESH_END,
    ),
    "envoy.panic_threshold_percent": Text(
        "Envoy's default; neither Service Connect nor App Mesh exposes it.",
        "Envoy のデフォルト値です。Service Connect でも App Mesh でも設定できません。",
        f"{ECS_API}/API_ServiceConnectService.html",
    ),
    "envoy.connect_timeout_s": Text(
        "Envoy's default; neither Service Connect nor App Mesh exposes it.",
        "Envoy のデフォルト値です。Service Connect でも App Mesh でも設定できません。",
        f"{ECS_API}/API_ServiceConnectService.html",
    ),
    "envoy.outlier_detection": Text(
        "Outlier detection is always on with AWS's thresholds; no Service Connect field sets it.",
        "外れ値検出は常に有効で、しきい値は AWS が決めています。設定する Service Connect の項目はありません。",
        SC_GUIDE,
    ),
    "envoy.retry_policy": Text(
        "The proxy retries twice, avoiding the host that just failed; no Service Connect field"
        " sets it.",
        "プロキシは直前に失敗したホストを避けて 2 回まで再試行します。設定する Service Connect の項目はありません。",
        SC_GUIDE,
    ),
    "app_mesh.eds_lag_s": Text(
        "The App Mesh control plane pushed endpoints on its own schedule.",
        "App Mesh のコントロールプレーンは独自のタイミングでエンドポイントを配信していました。",
        APP_MESH_END,
    ),
    "app_mesh.dns_refresh_s": Text(
        "Envoy's DNS refresh rate; App Mesh had no field for it.",
        "Envoy の DNS 更新間隔です。App Mesh にはそのための項目がありませんでした。",
        APP_MESH_END,
    ),
    "service_connect.drain_s": Text(
        "The Service Connect agent waits 20 s for open connections before Envoy exits; no"
        " setting changes it.",
        "Service Connect エージェントは Envoy の終了前に開いている接続を 20\u00a0秒待ちます。変更する設定はありません。",
        "https://github.com/aws/amazon-ecs-service-connect-agent",
    ),
    "service_connect.endpoint_lag_s": Text(
        "ECS pushes endpoint changes to the proxies on its own schedule.",
        "ECS は独自のタイミングでエンドポイントの変更をプロキシに配信します。",
        SC_GUIDE,
    ),
}

#: ``set`` on a value that is not AWS's at all.
CLIENT = Text(
    "{setting} = {value}: your application's HTTP client or runtime decides this, not AWS.",
    "{setting} = {value}：これは AWS ではなく、アプリケーションの HTTP クライアントやランタイムが決めます。",
    "https://docs.aws.amazon.com/sdk-for-java/latest/developer-guide/jvm-ttl-dns.html",
)
MODEL = Text(
    "{setting} = {value}: part of the simulation's model of the sample system, not of AWS.",
    "{setting} = {value}：AWS ではなく、サンプルシステムのシミュレーション上のモデルです。",
)
UNUSED = Text(
    "{setting} = {value}: this pattern does not read it.",
    "{setting} = {value}：このパターンでは使われません。",
)
WHAT_IF = Text(
    "{setting} = {value} (AWS runs {default}): a what-if on a value AWS fixes. {why}",
    "{setting} = {value}（AWS では {default}）：AWS が固定している値の what-if です。{why}",
)


def field_source(api: str) -> str:
    for prefix, url in FIELD_SOURCES:
        if api.startswith(prefix):
            return url
    return f"{ECS_API}/Welcome.html"


def fixed_text(setting: str, pattern: str) -> Text:
    return FIXED.get(f"{setting}@{pattern}") or FIXED[setting]


#: The faults whose effect shows in the traffic metrics.
TRAFFIC_FAULTS = (
    "kill_task",
    "stop_task",
    "refuse_task",
    "blackhole_task",
    "slow_task",
    "fail_task",
    "az_outage",
)


def metrics(pattern: str, do: str, lang: str = "en") -> str:
    """Where the pattern's traffic metrics show a fault, in ``lang`` ("" for an action that is
    not one)."""
    if do not in TRAFFIC_FAULTS:
        return ""
    by_kind = METRICS[pattern]
    text = by_kind.get(do) or by_kind.get("_all")
    return text.say(lang) if text is not None else ""


# --------------------------------------------------------------------------- the IN_AWS texts

_RETIRED_JA = "App Mesh は 2026 年 9 月 30 日にサポートが終了し、実際の AWS ではもう設定できません"
_NO_API = "設定する API 項目はありません"
_NO_SC = "設定する Service Connect の API 項目はありません"
_NEITHER = "Service Connect でも App Mesh でも設定できません"


def _retired(path: str) -> Text:
    """A settable App Mesh field: its path, then that App Mesh is retired."""
    return Text(f"{path}; {APP_MESH_RETIRED}", f"{path}：{_RETIRED_JA}")


#: What decides each value of :data:`patterns.sim.scenario.IN_AWS` (the engine keeps English),
#: in the page's language, keyed by :func:`in_aws_key`. ``en`` is the engine's text word for word
#: (tests/inaws/test_texts.py fails when the two part, so a changed engine text is translated
#: again). An entry that is only an API field's path (``Service healthCheckGracePeriodSeconds``)
#: reads the same in both languages and is not listed.
IN_AWS_TEXTS: dict[str, Text] = {
    "app.latency_ms": Text(
        "the sample application's response time; your code's",
        "サンプルアプリケーションの応答時間です。実際の値はアプリケーションのコードで決まります",
    ),
    "ecs.task_start_s": Text(
        "depends on the image and the capacity; no API field sets it",
        f"イメージとキャパシティによって決まります。{_NO_API}",
    ),
    "ecs.deregister_after_stop_s": Text(
        "ECS deregisters a stopped task on its own schedule; no API field",
        f"停止したタスクは ECS が独自のタイミングで登録解除します。{_NO_API}",
    ),
    "ecs.lost_task_timeout_s": Text(
        "ECS decides when to replace tasks of an unreachable AZ; no API field",
        f"到達できない AZ のタスクをいつ置き換えるかは ECS が決めます。{_NO_API}",
    ),
    "ecs.container_health_check": Text(
        "TaskDefinition containerDefinitions[].healthCheck; defined or not",
        "TaskDefinition containerDefinitions[].healthCheck：定義するかどうか",
    ),
    "ecs.depends_on_healthy": Text(
        "TaskDefinition containerDefinitions[].dependsOn; on a small extra container,"
        " [{containerName: app, condition: HEALTHY}] (the workaround of"
        " containers-roadmap#2334)",
        "TaskDefinition containerDefinitions[].dependsOn：小さな追加のコンテナに"
        " [{containerName: app, condition: HEALTHY}] を指定します"
        "（containers-roadmap#2334 の回避策）",
    ),
    "cloud_map.health_propagation_s": Text(
        "Cloud Map applies a custom health status about 30 s after the update;"
        " HealthCheckCustomConfig.FailureThreshold is deprecated and always 1",
        "Cloud Map はカスタムヘルスチェックの状態を更新から約 30 秒後に反映します。"
        "HealthCheckCustomConfig.FailureThreshold は非推奨で、常に 1 です",
    ),
    "cloud_map.record_propagation_s": Text(
        "Route 53 propagates record changes within about 60 s; no API field",
        f"Route 53 はレコードの変更を約 60 秒以内に伝播します。{_NO_API}",
    ),
    "client.dns_cache": Text(
        "your runtime's DNS cache (the JVM's networkaddress.cache.ttl, ...)",
        "アプリケーションのランタイムが持つ DNS キャッシュです（JVM の networkaddress.cache.ttl など）",
    ),
    "client.retries": Text(
        "your HTTP client's retries; no AWS component retries",
        "アプリケーションの HTTP クライアントによる再試行です。AWS のコンポーネントは再試行しません",
    ),
    "client.timeout_s": Text(
        "your HTTP client's response timeout",
        "アプリケーションの HTTP クライアントの応答タイムアウトです",
    ),
    "client.connect_timeout_s": Text(
        "your HTTP client's connect timeout",
        "アプリケーションの HTTP クライアントの接続タイムアウトです",
    ),
    "client.ip_choice": Text(
        "which IP of a DNS answer your client connects to",
        "DNS の応答に並ぶ IP アドレスのうち、どれに接続するかはクライアントが決めます",
    ),
    "envoy.lb_policy@service-connect": Text(
        "the proxy balances round robin; no Service Connect API field sets it",
        f"プロキシはラウンドロビンで振り分けます。{_NO_SC}",
    ),
    "envoy.lb_policy@app-mesh": Text(
        "Envoy balanced round robin; App Mesh's API had no field for it (aws-app-mesh-roadmap#70)",
        "Envoy はラウンドロビンで振り分けていました。App Mesh の API にはそのための項目が"
        "ありませんでした（aws-app-mesh-roadmap#70）",
    ),
    "envoy.panic_threshold_percent": Text(
        "Envoy's default; neither Service Connect nor App Mesh exposes it",
        f"Envoy のデフォルト値です。{_NEITHER}",
    ),
    "envoy.connect_timeout_s": Text(
        "Envoy's cluster default; neither Service Connect nor App Mesh exposes it",
        f"Envoy のクラスターのデフォルト値です。{_NEITHER}",
    ),
    "envoy.outlier_detection@service-connect": Text(
        "outlier detection is always on with AWS's thresholds; no Service Connect API field"
        " sets it",
        f"外れ値検出は常に有効で、しきい値は AWS が決めています。{_NO_SC}",
    ),
    "envoy.retry_policy@service-connect": Text(
        "the proxy retries twice, avoiding the host that just failed; no Service Connect API"
        " field sets it",
        f"プロキシは直前に失敗したホストを避けて 2 回まで再試行します。{_NO_SC}",
    ),
    "app_mesh.discovery": _retired("App Mesh VirtualNode spec.serviceDiscovery"),
    "app_mesh.eds_lag_s": Text(
        "the App Mesh control plane pushes endpoints on its own schedule",
        "App Mesh のコントロールプレーンが独自のタイミングでエンドポイントを配信します",
    ),
    "app_mesh.dns_refresh_s": Text(
        "Envoy's DNS refresh rate; App Mesh had no field for it",
        "Envoy の DNS 更新間隔です。App Mesh にはそのための項目がありませんでした",
    ),
    "app_mesh.route_timeout_s": _retired("App Mesh Route spec.httpRoute.timeout.perRequest"),
    "app_mesh.idle_timeout_s": _retired("App Mesh Route spec.httpRoute.timeout.idle"),
    "app_mesh.retry_policy": _retired("App Mesh Route spec.httpRoute.retryPolicy"),
    "app_mesh.outlier_detection": _retired(
        "App Mesh VirtualNode spec.listeners[].outlierDetection"
    ),
    "app_mesh.routes": _retired("App Mesh Route spec.httpRoute.action.weightedTargets"),
    "service_connect.drain_s": Text(
        "the agent drains for 20 s (LISTENER_DRAIN_WAIT_TIME_S); Service Connect has no"
        " setting for it",
        "Service Connect エージェントは 20 秒間ドレインします（LISTENER_DRAIN_WAIT_TIME_S）。"
        "Service Connect にはそのための設定がありません",
    ),
    "service_connect.endpoint_lag_s": Text(
        "ECS pushes endpoint changes to the proxies on its own schedule",
        "ECS が独自のタイミングでエンドポイントの変更をプロキシに配信します",
    ),
    "trace.request_sample_every": Text(
        "how many requests the simulation traces hop by hop; not part of AWS",
        "シミュレーションが何件に 1 件のリクエストをホップごとに追跡するかです。AWS にはない値です",
    ),
}


def in_aws_key(setting: str, entry: InAws) -> str:
    """The key of an IN_AWS entry in :data:`IN_AWS_TEXTS`: the setting, with ``@pattern`` when
    the entry holds under some patterns only."""
    return "@".join((setting, *entry.patterns))


def only_a_path(entry: InAws) -> bool:
    """Whether an entry is nothing but an API field's path (the same in both languages)."""
    return entry.kind == SETTABLE and "; " not in entry.api


def in_aws_text(setting: str, entry: InAws, lang: str) -> str:
    """What the IN_AWS entry of ``setting`` says, in ``lang`` (an API path reads the same; a
    text missing from the table, which tests/inaws/test_texts.py refuses, stays English)."""
    text = IN_AWS_TEXTS.get(in_aws_key(setting, entry))
    if text is None or text.en != entry.api:
        return entry.api
    return text.ja if lang == "ja" else text.en


#: A note on a value AWS fixes that the run changed anyway; the entry's own text follows.
NOTE_WHAT_IF = Text(
    "what-if, not possible in real ECS (AWS runs {default}); ",
    "what-if です。実際の ECS ではできません（AWS では {default}）。",
)
#: The note on the sample system's task: its value and what it says.
SAMPLE_TASK = Text(
    "{cpu} CPU units, {memory} MiB, container {container} on {port}",
    "{cpu} CPU ユニット、{memory} MiB、コンテナ {container}（ポート {port}）",
)
SAMPLE_TASK_NOTE = Text(
    "the sample system's task size, container and {path} path; use your own",
    "サンプルシステムのタスクサイズ、コンテナ、{path} のパスです。実際には自分のものを使ってください",
)
