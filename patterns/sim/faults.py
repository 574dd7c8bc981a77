"""Actions: the commands a scenario (or a live session) applies at a virtual time.

``fail_task`` and ``slow_task`` change what the application answers to business requests; health
checks keep passing unless the action says ``"health_check": true`` (a broken endpoint behind a
healthy ``/health`` is the common case). ``refuse_task`` closes the port (health checks fail too);
``blackhole_task`` drops packets (network checks time out, the in-task container check passes).
"""

from __future__ import annotations

from typing import Any

from .topology import Task, World, fail_reason


def apply_action(world: World, action: dict[str, Any]) -> None:
    """Apply one validated action now and record it as an event."""
    do = action["do"]
    fields = {k: v for k, v in action.items() if k not in ("at_s", "do")}
    if "task" in action:
        task = world.tasks.get(action["task"])
        if task is None:
            world.event("action", "action_skipped", do=do, **fields)
            return
        world.event("action", "action_applied", do=do, **fields)
        _task_action(world, task, action)
        return
    world.event("action", "action_applied", do=do, **fields)
    if do == "az_outage":
        world.set_az(action["az"], True)
    elif do == "az_recover":
        world.set_az(action["az"], False)
    elif do == "scale":
        world.scale(world.services[action["service"]], action["count"])
    elif do == "deploy":
        world.deploy(world.services[action["service"]], action)
    elif do == "rollback":
        world.deployments.rollback(world.services[action["service"]], "action")
    elif do == "add_service":
        world.add_service(action["service"], action["traffic"])
    elif do == "set":
        _set(world, action["setting"], action["value"])


def _task_action(world: World, task: Task, action: dict[str, Any]) -> None:
    do = action["do"]
    if do == "kill_task":
        world.kill(task)
    elif do == "stop_task":
        world.stop_task(task, "action_applied")
        world.reconcile(task.service)
    elif do == "slow_task":
        delay_s = action["delay_ms"] / 1000.0

        def slow(t: Task) -> None:
            t.slow_s = delay_s
            t.slow_hc = action["health_check"]

        world.set_behaviour(task, slow)
    elif do == "fail_task":

        def fail(t: Task) -> None:
            t.fail_p = action["probability"]
            t.fail_reason = fail_reason(action["status"])
            t.fail_hc = action["health_check"]

        world.set_behaviour(task, fail)
    elif do == "refuse_task":

        def refuse(t: Task) -> None:
            t.refuse = True

        world.set_behaviour(task, refuse)
    elif do == "blackhole_task":

        def blackhole(t: Task) -> None:
            t.blackhole = True

        world.set_behaviour(task, blackhole)
    elif do == "recover_task":
        world.set_behaviour(task, Task.reset_behaviour)


def _set(world: World, path: str, value: Any) -> None:
    component, _, key = path.partition(".")
    world.settings[component][key] = value  # combinations were checked before (load or apply)
    world.refresh_settings()
    world.event("setting", "setting_changed", setting=path, value=value)
    assert world.pattern is not None
    world.pattern.on_setting_changed(path)
