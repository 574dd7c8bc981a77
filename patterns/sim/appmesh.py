"""Pattern 2, AWS App Mesh: client Envoys route virtual service -> router -> weighted virtual nodes.

Each virtual node is an ECS service. The route picks a virtual node per request by weight
(``app_mesh.routes``; a virtual service without a route goes to the service of the same name),
then the proxy's cluster for that node picks an endpoint. Discovery is either Cloud Map (ECS
registers tasks, the control plane pushes healthy instances to every Envoy ``app_mesh.eds_lag_s``
later [AMR-151]) or DNS (Envoy's logical DNS cluster: only the first IP of the answer, re-resolved
every ``app_mesh.dns_refresh_s`` = 5 s regardless of the TTL [AMR-273, ENV-DNS], but through the
VPC resolver's cache for the task's AZ, which still applies the TTL [AMR-151]: a removed record
can reach Envoy up to propagation + TTL + 5 s after the change, as in Service Discovery). The route carries
the default retry policy (2 retries on 503, connect-failure, refused-stream, reset [AM-DEF]) and a
15 s timeout [AM-RT]. Outlier detection is off unless ``app_mesh.outlier_detection`` gives all four
fields [AM-API-OD], and it needs Cloud Map discovery [AM-VN]. A stopping task's Envoy drains for
20 s before SIGTERM [SC-AGENT].
"""

from __future__ import annotations

import random
from typing import Any

from .cloud_map_registry import CloudMapRegistry
from .discovery import ResolverCache, prewarmed_resolvers
from .envoy_client import EnvoyPattern, Upstream, retry_policy_from
from .proxy import EnvoyClusterConfig, OutlierDetectionConfig
from .scenario import AZS
from .topology import Request, Service, Task, World

#: Envoy's drain wait when the task stops (LISTENER_DRAIN_WAIT_TIME_S) [SC-AGENT].
ENVOY_DRAIN_S = 20.0


class AppMeshPattern(EnvoyPattern):
    name = "app-mesh"
    drain_s = ENVOY_DRAIN_S

    def __init__(self, world: World) -> None:
        super().__init__(world)
        self.mesh = self.settings["app_mesh"]
        self.registry = CloudMapRegistry(world, on_change=self._cloud_map_changed)
        self._configs: dict[str, EnvoyClusterConfig] = {}
        self._routes: dict[str, tuple[list[str], list[float]]] = {}
        self._build_routes()
        # DNS discovery only: the VPC resolver's caches (one per AZ), filled on the first refresh,
        # and their own random stream for Route 53's answers.
        self.resolvers: dict[str, ResolverCache] = {}
        self.dns_rng = random.Random(f"kumoben-dns:{world.scenario.seed}")

    def _build_routes(self) -> None:
        self._routes = {}
        for vs, targets in self.mesh["routes"].items():
            names = [t["virtual_node"] for t in targets]
            weights = [float(t["weight"]) for t in targets]
            self._routes[vs] = (names, weights)

    def cluster_config(self, name: str) -> EnvoyClusterConfig:
        config = self._configs.get(name)
        if config is None:
            od = self.mesh["outlier_detection"]
            outlier = None
            if od is not None and self.mesh["discovery"] == "cloud_map":
                outlier = OutlierDetectionConfig(
                    consecutive_5xx=od["max_server_errors"],
                    interval_s=od["interval_s"],
                    base_ejection_time_s=od["base_ejection_duration_s"],
                    max_ejection_percent=od["max_ejection_percent"],
                )
            config = self._configs[name] = EnvoyClusterConfig(
                lb_policy=self.envoy["lb_policy"],
                panic_threshold_percent=self.envoy["panic_threshold_percent"],
                outlier_detection=outlier,
                route_timeout_s=self.mesh["route_timeout_s"],
                idle_timeout_s=self.mesh["idle_timeout_s"],
                retry_policy=retry_policy_from(self.mesh["retry_policy"]),
            )
        return config

    def on_setting_changed(self, path: str) -> None:
        # The control plane pushes route/node changes; proxies created later use the new config.
        self._configs.clear()
        self._build_routes()
        if path.startswith("cloud_map."):
            self.registry.apply_settings()

    # ------------------------------------------------------------------ routing

    def choose_upstream(self, req: Request) -> str:
        route = self._routes.get(req.edge.callee)
        if route is None:
            return req.edge.callee
        names, weights = route
        node = self.world.rng.choices(names, weights)[0]
        if req.sampled:
            self.world.event(
                "hop", "weighted_route", request=req.id, proxy=req.caller.id, virtual_node=node
            )
        return node

    def _upstream(self, caller: Task, name: str) -> Upstream:
        # Called for every request: the base method named directly (no super() object) and the
        # DNS check only where the cluster has never resolved (Cloud Map clusters never do).
        up = EnvoyPattern._upstream(self, caller, name)
        if up.dns_host is None and not up.refresh_at and self.mesh["discovery"] == "dns":
            self.refresh(up, self.world.engine.now)
        return up

    def refresh(self, up: Upstream, now: float) -> None:
        """Logical DNS: re-resolve every dns_refresh_s and keep only the first IP."""
        if self.mesh["discovery"] != "dns" or now < up.refresh_at:
            return
        up.refresh_at = now + self.mesh["dns_refresh_s"]
        name = self.registry.dns_name(up.name)
        if not self.resolvers:
            names = [self.registry.dns_name(s) for s in self.registry.services]
            seed = self.world.scenario.seed
            self.resolvers = prewarmed_resolvers(self.registry.zone, names, AZS, seed)
        resolver = self.resolvers[self.world.tasks[up.proxy].az]
        answer = resolver.answer(name, now, self.dns_rng)
        ips = answer.ips
        host = ""
        if ips:
            task = self._task_by_ip(ips[0])
            host = task.id if task is not None else ""
        if host != up.dns_host:
            up.cluster.set_hosts([host] if host else [], now)
            self.world.event(
                "dns",
                "dns_refresh",
                proxy=up.proxy,
                cluster=up.name,
                record=name,
                task=host or None,
            )
        up.dns_host = host

    def _task_by_ip(self, ip: str) -> Task | None:
        for task in self.world.tasks.values():
            if task.ip == ip:
                return task
        return None

    # ------------------------------------------------------------------ endpoints

    def on_task_running(self, task: Task, initial: bool) -> None:
        if initial:
            self.endpoints[task.service.name].append(task.id)
        self.registry.register(task, initial)

    def on_service_added(self, service: Service) -> None:
        """The new service is a virtual node and virtual service; the control plane pushes it to
        every client Envoy (no client redeploy), endpoints arrive as Cloud Map registers tasks."""
        super().on_service_added(service)
        self.registry.add_service(service.name)

    def _cloud_map_changed(self, service: str) -> None:
        if self.mesh["discovery"] == "cloud_map":
            self.push_later(
                service, self.registry.healthy_instances(service), self.mesh["eds_lag_s"]
            )

    def remove_endpoint(self, task: Task) -> None:
        self.registry.deregister(task)

    def on_container_unhealthy(self, task: Task) -> None:
        self.registry.report_unhealthy(task)

    def on_container_healthy(self, task: Task) -> None:
        self.registry.report_healthy(task)

    def snapshot(self) -> dict[str, Any]:
        snap = super().snapshot()
        snap["cloud_map"] = self.registry.snapshot()
        snap["app_mesh"] = {
            "discovery": self.mesh["discovery"],
            "routes": {
                vs: [{"virtual_node": n, "weight": w} for n, w in zip(*r, strict=True)]
                for vs, r in self._routes.items()
            },
        }
        return snap
