"""Pattern 4, ECS Service Connect: a managed Envoy in every task, endpoints from the namespace.

The client task's proxy balances round robin over the tasks of the callee's Service Connect
endpoint and skips hosts its outlier detection ejected: 5 or more failures to one task within 30 s
eject it for 30 s, longer on repeats, at most 300 s [SC-DG; aws-facts-2026 3.8, 3.9]. It retries
twice, each retry avoiding the hosts the request already tried [SC-DG; 3.10], inside a 15 s
per-request timeout [CM-TO]. Which failures are retried (503 and connection failures), how the
ejection time grows and when an ejected host comes back are not documented, so Envoy's behaviour
is assumed (``envoy.*`` settings, listed in the scenario's assumptions). There is no application-health gating: a task becomes an
endpoint as soon as it runs, so a slow-starting app refuses connections meanwhile [CR-2334]. A
stopping task's proxy drains for 20 s before SIGTERM [SC-AGENT]. Endpoint changes reach the
proxies ``service_connect.endpoint_lag_s`` later (UNCONFIRMED, assumed).

A client only knows the endpoints (services) that existed when it started [ECS-SC, aws-facts-2026
3.14]: each proxy records the services of the world when its task starts running. A service created
later (``add_service`` action) is unknown to proxies started before it, so their requests to it fail
with ``dns_nxdomain`` (cause ``endpoint_unknown_to_client``) until ECS replaces those tasks (a
deploy, scale-out or replacement); tasks started after it know it.
"""

from __future__ import annotations

from typing import Any

from .engine import PRIO_CONTROL
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
        # Blue/green family (aws-facts-2026 2.16): green tasks are the service's test endpoint,
        # a second cluster in every client proxy; ``routes`` holds the weights the proxies have
        # (green percent of production, test traffic to green) while a deployment runs.
        self.routes: dict[str, tuple[float, bool]] = {}
        self._green_hosts: set[str] = set()
        self._shifting: set[str] = set()  # services whose deployment has sent weights

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
        if self.world.deployments.is_green(task):
            name = green_name(name)
            self._green_hosts.add(task.id)
            self.endpoints.setdefault(name, [])
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
        if self._green_hosts and task.id in self._green_hosts:
            name = green_name(name)
        hosts = [h for h in self._pending_view(name) if h != task.id]
        self._target[name] = hosts
        self.push_later(name, hosts, self.sc["endpoint_lag_s"])

    def _pending_view(self, name: str) -> list[str]:
        return self._target.get(name, self.endpoints[name])

    def choose_upstream(self, req: Request) -> str:
        callee = req.edge.callee
        if self.routes and callee in self.routes:
            green_percent, test_to_green = self.routes[callee]
            if self.world.deployments.to_green(req.edge.test, green_percent, test_to_green):
                return green_name(callee)
        return callee

    # ------------------------------------------------------------------ deployments

    def on_deployment_weights(
        self, service: str, green_percent: float, test_to_green: bool
    ) -> None:
        """ECS updates the routes; the client proxies get them ``endpoint_lag_s`` later."""
        self._shifting.add(service)
        self.world.engine.after(
            self.sc["endpoint_lag_s"],
            PRIO_CONTROL,
            self._routes_arrive,
            (service, green_percent, test_to_green),
        )

    def _routes_arrive(self, arg: tuple[str, float, bool], _tag: int) -> None:
        service, green_percent, test_to_green = arg
        if green_percent <= 0.0 and not test_to_green:
            self.routes.pop(service, None)
        else:
            self.routes[service] = (green_percent, test_to_green)
        self.world.event(
            "proxy",
            "sc_route_weights",
            service=service,
            blue_percent=round(100.0 - green_percent, 1),
            green_percent=green_percent,
            test_to_green=test_to_green,
        )

    def on_deployment_promoted(self, service: str) -> None:
        """Green's endpoints become the service's production endpoints; blue's leave next."""
        key = green_name(service)
        hosts = list(self._pending_view(key)) if key in self.endpoints else []
        self._green_hosts.difference_update(hosts)
        self._target[service] = hosts
        self._target[key] = []
        self._shifting.discard(service)
        lag = self.sc["endpoint_lag_s"]
        self.push_later(service, hosts, lag)
        self.push_later(key, [], lag)
        # Until the production list reaches the proxies, production keeps going to green.
        self.world.engine.after(lag, PRIO_CONTROL, self._route_done, service)

    def _route_done(self, service: str, _tag: int) -> None:
        self.routes.pop(service, None)

    def on_deployment_rolled_back(self, service: str) -> None:
        if service in self._shifting:  # nothing to take back before TEST_TRAFFIC_SHIFT
            self.on_deployment_weights(service, 0.0, False)
            self._shifting.discard(service)

    def send(self, req: Request) -> None:
        known = self.known.get(req.caller.id)
        if known is not None and req.edge.callee not in known:
            if req.sampled:
                self.world.event(
                    "hop",
                    "endpoint_unknown_to_client",
                    request=req.id,
                    client=req.caller.id,
                    to=req.edge.callee,
                )
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


def green_name(service: str) -> str:
    """The name of a service's green (test) endpoint in the client proxies."""
    return f"{service}:green"
