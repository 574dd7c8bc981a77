"""The interface every pattern module implements, with do-nothing defaults.

The world calls these hooks on lifecycle changes; the pattern routes requests and tells the world
when a drained task may receive SIGTERM (``world.sigterm``) and, behind a load balancer, when a new
task's target turns healthy (``world.mark_healthy``). Whether ECS counts a new task healthy is the
world's call (``World.update_health``): the container health check, the target, or 40 s.
"""

from __future__ import annotations

from typing import Any

from .topology import DRAINING, Request, Service, Task, World


class Pattern:
    name = "base"
    #: Tasks are targets of a load balancer whose health ECS waits for (``reports_healthy``).
    load_balanced = False

    def __init__(self, world: World) -> None:
        self.world = world
        self.settings = world.settings

    def setup(self) -> None:
        """Build the pattern's components once the initial tasks exist."""

    def send(self, req: Request) -> None:
        """Start a request: route it and call ``world.attempt`` (or ``world.finish``)."""
        raise NotImplementedError

    def attempt_done(self, req: Request, reason: str | None) -> None:
        """An attempt ended; retry or ``world.finish`` the request."""
        raise NotImplementedError

    def on_task_running(self, task: Task, initial: bool) -> None:
        """ECS started the task's containers: register it where the pattern registers tasks."""

    def on_app_ready(self, task: Task) -> None:
        """The app answers now. ECS does not see this; only health checks tell it."""

    def deregister(self, task: Task) -> None:
        """Graceful stop: take the task out of routing, drain, then ``world.sigterm``."""
        self.world.sigterm(task)

    def deregister_dead(self, task: Task) -> None:
        """ECS deregisters a task that died without a graceful stop."""

    def on_task_stopped(self, task: Task) -> None:
        """The task reached STOPPED."""

    def on_idle(self, task: Task) -> None:
        """A task that is not RUNNING has no request in flight any more."""
        if task.state is DRAINING:
            return

    def on_container_unhealthy(self, task: Task) -> None:
        """The container health check failed its retries."""

    def on_container_healthy(self, task: Task) -> None:
        """The container health check of an UNHEALTHY container passed again."""

    def reports_healthy(self, task: Task) -> bool:
        """Whether the load balancer reports the task's target healthy to ECS right now (asked
        only when ``load_balanced``)."""
        return False

    def reports_unhealthy(self, task: Task) -> bool:
        """Whether the pattern's own health check (a load balancer's) reports the task unhealthy
        to ECS right now; asked when the task's grace period ends."""
        return False

    def on_behaviour_changed(self, task: Task) -> None:
        """A fault action changed the task's behaviour."""

    def on_az(self, az: str, out: bool) -> None:
        """An AZ failed or recovered."""

    def on_service_added(self, service: Service) -> None:
        """A service was created during the run (before its tasks launch)."""

    def on_setting_changed(self, path: str) -> None:
        """A ``set`` action changed ``component.key``."""

    def on_deployment_weights(
        self, service: str, green_percent: float, test_to_green: bool
    ) -> None:
        """A blue/green, linear or canary deployment moved traffic: ``green_percent`` of production
        and, with ``test_to_green``, all test traffic go to the green revision."""

    def on_deployment_promoted(self, service: str) -> None:
        """CLEAN_UP: green is the service's production revision now; blue's tasks stop next."""

    def on_deployment_rolled_back(self, service: str) -> None:
        """The deployment ended without promotion: every request goes to blue again."""

    def snapshot(self) -> dict[str, Any]:
        """Pattern state for diagrams (JSON-ready)."""
        return {}

    def summary_extra(self) -> dict[str, Any]:
        """Pattern-specific counters for the result summary (JSON-ready)."""
        return {}
