"""Pattern 4, ECS Service Connect: a managed Envoy in every task, endpoints from the namespace.

The client task's proxy balances round robin over the tasks of the callee's Service Connect
endpoint and skips hosts its outlier detection ejected [SC-DG]; it retries 503s and connection
failures twice [SC-BLOG, CR-1963] inside a 15 s per-request timeout [CM-TO]. AWS documents neither
the outlier parameters nor the retry count, so Envoy's defaults are assumed (``envoy.*`` settings,
listed in the scenario's assumptions). There is no application-health gating: a task becomes an
endpoint as soon as it runs, so a slow-starting app refuses connections meanwhile [CR-2334]. A
stopping task's proxy drains for 20 s before SIGTERM [SC-AGENT]. Endpoint changes reach the
proxies ``service_connect.endpoint_lag_s`` later (UNCONFIRMED, assumed).

A client only knows the endpoints (services) that existed when it started [ECS-SC]; every service
of a scenario exists from t = 0, so each proxy records that list at its start and requests to any
other name would fail with ``dns_nxdomain``.
"""

from __future__ import annotations

from typing import Any

from .envoy_client import EnvoyPattern, envoy_outlier_from, retry_policy_from
from .proxy import EnvoyClusterConfig
from .topology import Request, Task, World
from .trace import DNS_NXDOMAIN


class ServiceConnectPattern(EnvoyPattern):
    name = "service-connect"
    timeout_cause = "per_request_timeout"

    def __init__(self, world: World) -> None:
        super().__init__(world)
        self.sc = self.settings["service_connect"]
        self.drain_s = self.sc["drain_s"]
        self.known: dict[str, tuple[str, ...]] = {}  # proxy -> endpoint names known at its start
        self._configs: dict[str, EnvoyClusterConfig] = {}
        # The namespace's endpoint list per service: what the next push will deliver.
        self._target: dict[str, list[str]] = {}

    def cluster_config(self, name: str) -> EnvoyClusterConfig:
        config = self._configs.get(name)
        if config is None:
            config = self._configs[name] = EnvoyClusterConfig(
                lb_policy=self.envoy["lb_policy"],
                panic_threshold_percent=self.envoy["panic_threshold_percent"],
                outlier_detection=envoy_outlier_from(self.envoy["outlier_detection"]),
                route_timeout_s=self.sc["per_request_timeout_s"],
                idle_timeout_s=self.sc["idle_timeout_s"],
                retry_policy=retry_policy_from(self.envoy["retry_policy"]),
            )
        return config

    def on_setting_changed(self, path: str) -> None:
        # New settings reach proxies created afterwards (SC applies config at task start).
        self._configs.clear()
        self.drain_s = self.sc["drain_s"]

    def on_task_running(self, task: Task, initial: bool) -> None:
        self.known[task.id] = tuple(self.world.services)
        name = task.service.name
        hosts = (
            [*self.endpoints[name], task.id] if initial else [*self._pending_view(name), task.id]
        )
        if initial:
            self.endpoints[name] = hosts
            return
        self._target[name] = hosts
        self.push_later(name, hosts, self.sc["endpoint_lag_s"])

    def remove_endpoint(self, task: Task) -> None:
        name = task.service.name
        hosts = [h for h in self._pending_view(name) if h != task.id]
        self._target[name] = hosts
        self.push_later(name, hosts, self.sc["endpoint_lag_s"])

    def _pending_view(self, name: str) -> list[str]:
        return self._target.get(name, self.endpoints[name])

    def send(self, req: Request) -> None:
        known = self.known.get(req.caller.id)
        if known is not None and req.edge.callee not in known:
            self.world.finish(req, DNS_NXDOMAIN)
            return
        EnvoyPattern.send(self, req)  # per request: no super() object

    def snapshot(self) -> dict[str, Any]:
        snap = super().snapshot()
        snap["service_connect"] = {
            "namespace": "local",
            "endpoint_lag_s": self.sc["endpoint_lag_s"],
        }
        return snap
