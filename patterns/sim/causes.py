"""Cause codes: why each trace event happened.

Every event the engine records carries a ``cause`` that is a key of :data:`CAUSES`; the narrator
turns it into a sentence. The English line here is the developer-facing meaning, not UI text.
"""

from __future__ import annotations

CAUSES: dict[str, str] = {
    # Scenario and lifecycle
    "action_applied": "a scenario or live action was applied at this virtual time",
    "action_skipped": "an action named a task that does not exist (yet), so it did nothing",
    "task_started": "ECS launched a task; it is PENDING until its containers run",
    "task_running": "the task's containers are running (the app may still be starting)",
    "app_ready": "the application inside the task finished starting and accepts connections",
    "held_until_app_healthy": (
        "the app container started, but a container that dependsOn it HEALTHY waits, so the task"
        " stays PENDING and is not registered until the app's health check passes"
    ),
    "depends_on_healthy_met": (
        "the app container's health check passed: the container that dependsOn it HEALTHY started,"
        " so the task is RUNNING and gets registered"
    ),
    "app_not_ready": "the application has not finished starting, so the connection was refused",
    "task_stopped": "the task reached STOPPED; its IP no longer answers",
    "task_killed": "the task was killed abruptly; in-flight requests were reset",
    "replacement_started": "the ECS service started a task to get back to its desired count",
    "scale_out": "the ECS service's desired count went up",
    "service_added": "a new ECS service was created during the run (add_service)",
    "scale_in": "the ECS service's desired count went down; the newest tasks are stopped",
    "deployment_started": "a rolling deployment started new tasks beside the old ones",
    "deployment_step": "a new task became healthy, so the deployment stopped one old task",
    "deployment_finished": "every old task of the deployment has been replaced",
    "deployment_superseded": (
        "a newer deployment superseded an unfinished one; its tasks are stopped as the newest "
        "revision's tasks become healthy"
    ),
    "strategy_deployment_started": (
        "a blue/green, linear or canary deployment started: green scales up beside blue, no traffic"
    ),
    "test_traffic_shifted": "TEST_TRAFFIC_SHIFT: test traffic goes to green, production stays on blue",
    "production_traffic_shifted": "PRODUCTION_TRAFFIC_SHIFT: a step moved production traffic to green",
    "bake_time_started": "BAKE_TIME: production is all on green; blue keeps running for the bake time",
    "blue_green_clean_up": "CLEAN_UP: the bake time ended; green is the revision, blue is stopped",
    "blue_scaled_in": "CLEAN_UP stopped a blue task (its target drains first)",
    "deployment_alarm": "the deployment's alarm: green's error rate stayed above the threshold",
    "deployment_rolled_back": "the deployment was rolled back: traffic back to blue, green scaled in",
    "green_scaled_in": "the rollback stopped a green task",
    "rollback_ignored": "a rollback action found no blue/green, linear or canary deployment running",
    "listener_rule_weights": "ECS set the listener rule's weights between the blue and green target groups",
    "sc_route_weights": "the Service Connect proxies received new weights between blue and green",
    "sigterm_sent": "the ECS agent sent SIGTERM; the app finishes in-flight work and stops listening",
    "sigkill_sent": "stopTimeout elapsed after SIGTERM, so the agent sent SIGKILL",
    "exited_after_sigterm": "the app finished its in-flight requests and exited after SIGTERM",
    "ecs_lost_task": "ECS gave up on a task it could not reach (AZ outage) and replaced it",
    "ecs_replaced_unhealthy": "ECS stopped a task reported unhealthy and starts a replacement",
    "task_healthy": (
        "ECS counts the new task as healthy: its container check passed, its target is healthy,"
        " or (with neither check) 40 s passed since RUNNING"
    ),
    "container_health_failed": "the container health check failed its retries; ECS marks it UNHEALTHY",
    "container_health_recovered": "the container health check passed again; the container is HEALTHY",
    "unhealthy_in_grace_period": (
        "a health check reported the task unhealthy during its grace period; ECS ignores it until "
        "the grace ends"
    ),
    "grace_period_ended_unhealthy": (
        "the grace period ended with the task still unhealthy, so ECS stopped it and replaces it"
    ),
    "grace_period_ended_healthy": (
        "the grace period ended and the task is healthy again, so ECS keeps it"
    ),
    "az_outage": "an Availability Zone failed: its tasks and load balancer node are unreachable",
    "az_recovered": "the Availability Zone is reachable again",
    "behaviour_changed": "a fault action changed how the task answers",
    "setting_changed": "a setting was changed at run time",
    # ALB
    "target_registered": "ECS registered the task as an ip target; state initial until a check passes",
    "target_draining": "the target was deregistered and is draining: no new requests",
    "deregistration_delay_elapsed": "the deregistration delay ran out; remaining requests were cut",
    "drain_finished_idle": "the draining target had no in-flight requests left, so draining ended early",
    "health_check_passed": "a load balancer node's health check to the target passed",
    "health_check_failed": "a load balancer node's health check to the target failed",
    "healthy_threshold_reached": "enough consecutive passes: the node now routes to the target",
    "unhealthy_threshold_reached": "enough consecutive failures: the node stops routing to the target",
    "fail_open_all_unhealthy": "no target is healthy on this node, so it routes to all targets",
    "no_registered_targets": "the target group has no registered targets: the ALB answers 503",
    "round_robin": "the target was picked in round-robin order",
    "least_outstanding_requests": "the target with the fewest in-flight requests was picked",
    "weighted_random": "the target was picked at random by weight",
    "slow_start": "the target is in slow start and gets a growing share of requests",
    "alb_node_removed_from_dns": "the ALB node's IP was taken out of the load balancer's DNS answer",
    "alb_node_added_to_dns": "the ALB node's IP is back in the load balancer's DNS answer",
    "alb_502_reset": "the target reset or refused the connection, so the ALB answered 502",
    "alb_504_connect_timeout": "no connection to the target within 10 s, so the ALB answered 504",
    "alb_504_idle_timeout": "no response within the idle timeout, so the ALB answered 504",
    # DNS and Cloud Map
    "dns_cache_hit": "the client answered from its DNS cache",
    "dns_cache_miss": "the client's cache had no fresh entry, so it asked the resolver",
    "dns_cache_hit_stale": "the cached answer lists an IP the zone no longer serves",
    "dns_record_added": "a record was added to the hosted zone (visible after propagation)",
    "dns_record_removed": "a record was removed from the hosted zone (gone after propagation)",
    "dns_propagated": "a record change reached the Route 53 servers",
    "dns_nxdomain": "the name had no records, so resolution failed",
    "cloud_map_registered": "ECS registered the task as a Cloud Map instance",
    "cloud_map_deregistered": "ECS deregistered the task's Cloud Map instance",
    "custom_health_changed": "a Cloud Map custom health status took effect (about 30 s after the call)",
    "client_ip_pick": "the client picked one IP from its resolved answer",
    "multivalue_answer": "Route 53 answered with up to 8 healthy records (MULTIVALUE)",
    "multivalue_all_unhealthy": "no record was healthy, so MULTIVALUE answered up to 8 unhealthy ones",
    "weighted_answer": "Route 53 answered with one random healthy record (WEIGHTED)",
    "weighted_all_unhealthy": "no record was healthy, so WEIGHTED answered as if all were healthy",
    "simple_answer": "Route 53 answered with the plain record set of the name",
    # Envoy (App Mesh and Service Connect)
    "least_request_p2c": "Envoy picked the less busy of two random hosts",
    "random_pick": "Envoy picked a random host",
    "panic_mode": "too few hosts were available, so Envoy balanced across all hosts (panic)",
    "no_healthy_upstream": "the cluster had no hosts at all: Envoy answered 503",
    "consecutive_5xx": "a host reached the consecutive-error threshold (detected)",
    "outlier_ejected": "outlier detection ejected the host from the load-balancing set (enforced)",
    "outlier_returned": "the ejection time ran out and the host returned at an interval sweep",
    "max_ejection_percent_refused": "an ejection was detected but max_ejection_percent refused it",
    "retry_on_503": "the attempt got 503 and the retry policy allows another attempt",
    "retry_on_5xx": "the attempt got a 5xx and the retry policy allows another attempt",
    "retry_on_connect_failure": "the connection failed and the retry policy allows another attempt",
    "retry_on_reset": "the upstream reset the stream and the retry policy allows another attempt",
    "retry_on_timeout": "the attempt timed out and the retry policy allows another attempt",
    "retry_on_status": "the status code is in retriable_status_codes, so the policy retries",
    "upstream_connect_error": "Envoy could not connect or the stream was reset, so it answered 503",
    "client_retry": "the client application retried the request itself",
    "retry_budget_exhausted": "the retries were used up, so the error goes back to the caller",
    "route_timeout": "the route timeout (covering all retries) ran out: 504",
    "per_request_timeout": "the Service Connect per-request timeout ran out: 504",
    "idle_timeout": "no bytes within the idle timeout, so the connection was closed",
    "client_timeout": "the client gave up waiting for a response",
    "connect_timeout": "no connection could be made within the connect timeout",
    "connection_refused": "the task's port refused the connection",
    "connection_reset": "the connection was reset while the request was in flight",
    "blackholed": "packets to the task are dropped, so the connection never completes",
    "weighted_route": "the App Mesh route picked a virtual node by weight",
    "eds_push": "the control plane pushed a new endpoint list to the client proxies",
    "dns_refresh": "Envoy's logical DNS cluster re-resolved the name (every 5 s)",
    "endpoint_unknown_to_client": "the client proxy started before this endpoint existed",
    "retry_previous_host_skipped": "a retry skipped hosts the request already tried (previous_hosts)",
    "proxy_draining": "the task's proxy is draining connections before it exits (20 s)",
    # Requests
    "request_sent": "a request left the calling task",
    "request_ok": "the request completed successfully",
    "request_failed": "the request ended with an error the caller sees",
    "app_error": "the application answered with an error status",
    "app_slow": "the application answered late because of an injected delay",
}
