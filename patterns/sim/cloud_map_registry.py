"""How ECS keeps Cloud Map (and so the Route 53 private zone) in step with its tasks.

A thin layer over :mod:`patterns.sim.discovery` (the Cloud Map / Route 53 model) used by the
Service Discovery and App Mesh patterns: one Cloud Map service per ECS service in the namespace
``local``, one private hosted zone. ECS registers a task when it starts (ACTIVATING), deregisters it
when it stops, and reports container health failures as custom health. Every change is recorded as
an event; the moment Route 53 starts (or stops) serving a record is recorded as ``dns_propagated``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from .discovery import HEALTHY, UNHEALTHY, CloudMapService, HostedZone
from .engine import PRIO_CONTROL
from .topology import Task, World

APP_PORT = 8080


class CloudMapRegistry:
    """Cloud Map services and the hosted zone for every ECS service of the world."""

    def __init__(self, world: World, on_change: Callable[[str], None] | None = None) -> None:
        self.world = world
        cm = world.settings["cloud_map"]
        self.zone = HostedZone(record_propagation_s=cm["record_propagation_s"])
        self.services: dict[str, CloudMapService] = {}
        # Called with the service name whenever the API view of its instances or health changes.
        self.on_change = on_change
        for name in world.services:
            self.add_service(name)

    def add_service(self, name: str) -> None:
        """The Cloud Map service ECS creates with an ECS service (no instances yet)."""
        cm = self.world.settings["cloud_map"]
        service = CloudMapService(
            name,
            routing_policy=cm["routing_policy"],
            record_types=(cm["record_type"],),
            ttl_s=cm["dns_ttl_s"],
            health_propagation_s=cm["health_propagation_s"],
            record_propagation_s=cm["record_propagation_s"],
        )
        self.zone.add_service(service)
        self.services[name] = service

    def apply_settings(self) -> None:
        """A ``set`` on ``cloud_map.*``: records written from now on use the new values."""
        cm = self.world.settings["cloud_map"]
        self.zone.record_propagation_s = cm["record_propagation_s"]
        for service in self.services.values():
            service.routing_policy = cm["routing_policy"]
            service.record_types = (cm["record_type"],)
            service.ttl_s = cm["dns_ttl_s"]
            service.health_propagation_s = cm["health_propagation_s"]
            service.record_propagation_s = cm["record_propagation_s"]

    def dns_name(self, service: str) -> str:
        return self.services[service].dns_name

    def register(self, task: Task, initial: bool) -> None:
        service = self.services[task.service.name]
        visible_at = service.register(
            task.id, task.ip, self.world.engine.now, port=APP_PORT, az=task.az, immediate=initial
        )
        if initial:
            return
        self.world.event(
            "cloud_map", "cloud_map_registered", task=task.id, ip=task.ip, record=service.dns_name
        )
        self._changed(task.service.name)
        self.world.engine.at(visible_at, PRIO_CONTROL, self._propagated, (task, "added"))

    def deregister(self, task: Task) -> None:
        service = self.services[task.service.name]
        hidden_at = service.deregister(task.id, self.world.engine.now)
        if hidden_at is None:
            return
        self.world.event(
            "cloud_map", "cloud_map_deregistered", task=task.id, ip=task.ip, record=service.dns_name
        )
        self._changed(task.service.name)
        self.world.engine.at(hidden_at, PRIO_CONTROL, self._propagated, (task, "removed"))

    def report_unhealthy(self, task: Task) -> None:
        self._report(task, UNHEALTHY)

    def report_healthy(self, task: Task) -> None:
        """The container health check passes again: ECS sets the custom health back."""
        self._report(task, HEALTHY)

    def _report(self, task: Task, status: str) -> None:
        service = self.services[task.service.name]
        now = self.world.engine.now
        try:
            # The status once every change asked for has applied: the last one asked.
            if service.health(task.id, math.inf) == status:
                return  # already the status, or already on its way: nothing changes
            effective_at = service.set_custom_health(task.id, status, now)
        except ValueError:  # already deregistered
            return
        self.world.engine.at(effective_at, PRIO_CONTROL, self._health_effective, (task, status))

    def _health_effective(self, arg: tuple[Task, str], _tag: int) -> None:
        task, status = arg
        self.world.event("cloud_map", "custom_health_changed", task=task.id, status=status)
        self._changed(task.service.name)

    def _propagated(self, arg: tuple[Task, str], _tag: int) -> None:
        task, change = arg
        record = self.services[task.service.name].dns_name
        self.world.event(
            "dns", "dns_propagated", task=task.id, ip=task.ip, record=record, change=change
        )

    def _changed(self, service: str) -> None:
        if self.on_change is not None:
            self.on_change(service)

    def healthy_instances(self, service: str) -> list[str]:
        """Task ids of registered instances whose custom health is HEALTHY now (API view)."""
        cm = self.services[service]
        now = self.world.engine.now
        return [i.instance_id for i in cm.instances(now) if i.health(now) != UNHEALTHY]

    def snapshot(self) -> dict[str, Any]:
        now = self.world.engine.now
        return {
            cm.dns_name: {
                "served_ips": list(self.zone.current_ips(cm.dns_name, now)),
                "instances": [
                    {"instance_id": i.instance_id, "ip": i.ip, "health": i.health(now)}
                    for i in cm.instances(now)
                ],
            }
            for cm in self.services.values()
        }
