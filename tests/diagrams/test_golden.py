"""Golden DOT text for a tiny topology, one per pattern (a change here is a reviewed change)."""

from __future__ import annotations

import pytest

from patterns import diagrams

pytestmark = pytest.mark.unit

# web (1 task in 1a) calls api (1 task in 1a; 1c has none).
TINY = {
    "azs": ["ap-northeast-1a", "ap-northeast-1c"],
    "services": [
        {
            "name": "web",
            "azs": ["ap-northeast-1a"],
            "tasks": [{"id": "web-1", "az": "ap-northeast-1a"}],
        },
        {
            "name": "api",
            "azs": ["ap-northeast-1a", "ap-northeast-1c"],
            "tasks": [{"id": "api-1", "az": "ap-northeast-1a"}],
        },
    ],
    "calls": [{"from": "web", "to": "api"}],
    "routes": {},
}

GOLDEN_ELB = r"""digraph "kumoben-elb" {
  graph [id="diagram-elb" rankdir="TB" newrank="true" compound="true" ordering="out" nodesep="0.3" ranksep="0.55" pad="0.15" bgcolor="transparent" fontname="Helvetica,Arial,sans-serif" fontsize="10" fontcolor="#1f2933" outputorder="edgesfirst" class="kb-diagram pattern--elb"]
  node [shape="box" style="rounded,filled" fillcolor="white" color="#7b3fd1" fontname="Helvetica,Arial,sans-serif" fontsize="9" fontcolor="#1f2933" margin="0.08,0.04" penwidth="1.2"]
  edge [color="#8795a8" penwidth="0.7" arrowsize="0.5" fontname="Helvetica,Arial,sans-serif" fontsize="8"]
  "svc-web" [id="svc-web" label=<<TABLE BORDER="1" STYLE="rounded" COLOR="#c2570c" BGCOLOR="#fff7ed" CELLBORDER="0" CELLSPACING="6" CELLPADDING="2"><TR><TD COLSPAN="1"><FONT COLOR="#c2570c"><B>web</B></FONT> <FONT POINT-SIZE="8" COLOR="#5b6776">ECS service</FONT></TD></TR><TR><TD ID="svc-web-az-1a" PORT="svc-web-az-1a" TOOLTIP="web tasks in ap-northeast-1a" HREF="#" BORDER="1" STYLE="rounded,dashed" COLOR="#2f6fb0"><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="4" CELLPADDING="0"><TR><TD COLSPAN="1"><FONT POINT-SIZE="8" COLOR="#2f6fb0">ap-northeast-1a</FONT></TD></TR><TR><TD ID="task-web-1" PORT="task-web-1" TOOLTIP="ECS task web-1 · ap-northeast-1a" HREF="#" BORDER="1" STYLE="rounded" COLOR="#c2570c" BGCOLOR="white" CELLPADDING="3"><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="1"><TR><TD COLSPAN="2" ALIGN="LEFT"><FONT POINT-SIZE="9" COLOR="#1f2933"><B>web-1</B></FONT></TD></TR><TR><TD BORDER="1" COLOR="#c2570c" BGCOLOR="white" SIDES="LTBR"><FONT POINT-SIZE="8" COLOR="#1f2933">app</FONT></TD><TD><FONT POINT-SIZE="8" COLOR="#2f6fb0">1a</FONT></TD></TR></TABLE></TD></TR></TABLE></TD></TR></TABLE>> shape="plain" tooltip="ECS service web" class="service svc--web"]
  "alb" [id="alb" shape="plain" tooltip="Application Load Balancer (internal)" label=<<TABLE BORDER="1" STYLE="rounded" COLOR="#7b3fd1" BGCOLOR="#f5f0ff" CELLBORDER="0" CELLSPACING="6" CELLPADDING="3"><TR><TD COLSPAN="3"><FONT COLOR="#7b3fd1"><B>Application Load Balancer</B></FONT> <FONT POINT-SIZE="8" COLOR="#5b6776">internal · cross-zone on · listener rules → target groups</FONT></TD></TR><TR><TD ID="alb-dns" PORT="alb-dns" TOOLTIP="internal-kumoben-alb.ap-northeast-1.elb.amazonaws.com: one A record per ALB node, TTL 60 s" HREF="#" BORDER="1" STYLE="dashed" COLOR="#7b3fd1" BGCOLOR="white"><FONT POINT-SIZE="8" COLOR="#1f2933">DNS name</FONT><BR/><FONT POINT-SIZE="8" COLOR="#7b3fd1">internal-kumoben-alb.</FONT><BR/><FONT POINT-SIZE="8" COLOR="#7b3fd1">ap-northeast-1.elb.amazonaws.com</FONT><BR/><FONT POINT-SIZE="8" COLOR="#5b6776">A × 2 (one per ALB node) · TTL 60 s</FONT></TD><TD ID="alb-node-1a" PORT="alb-node-1a" TOOLTIP="ALB node in ap-northeast-1a" HREF="#" BORDER="1" STYLE="rounded" COLOR="#7b3fd1" BGCOLOR="white" CELLPADDING="4"><FONT COLOR="#7b3fd1"><B>ALB node</B></FONT><BR/><FONT POINT-SIZE="8" COLOR="#5b6776">ap-northeast-1a</FONT></TD><TD ID="alb-node-1c" PORT="alb-node-1c" TOOLTIP="ALB node in ap-northeast-1c" HREF="#" BORDER="1" STYLE="rounded" COLOR="#7b3fd1" BGCOLOR="white" CELLPADDING="4"><FONT COLOR="#7b3fd1"><B>ALB node</B></FONT><BR/><FONT POINT-SIZE="8" COLOR="#5b6776">ap-northeast-1c</FONT></TD></TR></TABLE>> class="alb"]
  subgraph "cluster_tg_api" {
    id="tg-api"
    class="target-group svc--api"
    label=<<FONT COLOR="#7b3fd1"><B>target group api</B></FONT><BR/><FONT POINT-SIZE="8" COLOR="#5b6776">ip targets · health check HTTP /</FONT>>
    style="rounded"
    color="#7b3fd1"
    penwidth="1.2"
    margin="6"
    labelloc="b"
    "svc-api" [id="svc-api" label=<<TABLE BORDER="1" STYLE="rounded" COLOR="#c2570c" BGCOLOR="#fff7ed" CELLBORDER="0" CELLSPACING="6" CELLPADDING="2"><TR><TD COLSPAN="2"><FONT COLOR="#c2570c"><B>api</B></FONT> <FONT POINT-SIZE="8" COLOR="#5b6776">ECS service</FONT></TD></TR><TR><TD ID="svc-api-az-1a" PORT="svc-api-az-1a" TOOLTIP="api tasks in ap-northeast-1a" HREF="#" BORDER="1" STYLE="rounded,dashed" COLOR="#2f6fb0"><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="4" CELLPADDING="0"><TR><TD COLSPAN="1"><FONT POINT-SIZE="8" COLOR="#2f6fb0">ap-northeast-1a</FONT></TD></TR><TR><TD ID="task-api-1" PORT="task-api-1" TOOLTIP="ECS task api-1 · ap-northeast-1a" HREF="#" BORDER="1" STYLE="rounded" COLOR="#c2570c" BGCOLOR="white" CELLPADDING="3"><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="1"><TR><TD COLSPAN="2" ALIGN="LEFT"><FONT POINT-SIZE="9" COLOR="#1f2933"><B>api-1</B></FONT></TD></TR><TR><TD BORDER="1" COLOR="#c2570c" BGCOLOR="white" SIDES="LTBR"><FONT POINT-SIZE="8" COLOR="#1f2933">app</FONT></TD><TD><FONT POINT-SIZE="8" COLOR="#2f6fb0">1a</FONT></TD></TR></TABLE></TD></TR></TABLE></TD><TD ID="svc-api-az-1c" PORT="svc-api-az-1c" TOOLTIP="api tasks in ap-northeast-1c" HREF="#" BORDER="1" STYLE="rounded,dashed" COLOR="#2f6fb0"><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="4" CELLPADDING="0"><TR><TD COLSPAN="1"><FONT POINT-SIZE="8" COLOR="#2f6fb0">ap-northeast-1c</FONT></TD></TR><TR><TD><FONT POINT-SIZE="8" COLOR="#5b6776">no tasks</FONT></TD></TR></TABLE></TD></TR></TABLE>> shape="plain" tooltip="ECS service api" class="service svc--api"]
  }
  "svc-web":"task-web-1":s -> "alb":"alb-node-1a":n [id="edge-web-1--alb-node-1a" class="call from--web to--alb"]
  "svc-web":"task-web-1":s -> "alb":"alb-node-1c":n [id="edge-web-1--alb-node-1c" class="call from--web to--alb"]
  "alb":"alb-node-1a":s -> "svc-api":"task-api-1":n [id="edge-alb-node-1a--api-1" class="call from--alb to--api"]
  "alb":"alb-node-1c":s -> "svc-api":"task-api-1":n [id="edge-alb-node-1c--api-1" class="call from--alb to--api"]
}
"""

GOLDEN_APP_MESH = r"""digraph "kumoben-app-mesh" {
  graph [id="diagram-app-mesh" rankdir="TB" newrank="true" compound="true" ordering="out" nodesep="0.3" ranksep="0.55" pad="0.15" bgcolor="transparent" fontname="Helvetica,Arial,sans-serif" fontsize="10" fontcolor="#1f2933" outputorder="edgesfirst" class="kb-diagram pattern--app-mesh"]
  node [shape="box" style="rounded,filled" fillcolor="white" color="#7b3fd1" fontname="Helvetica,Arial,sans-serif" fontsize="9" fontcolor="#1f2933" margin="0.08,0.04" penwidth="1.2"]
  edge [color="#8795a8" penwidth="0.7" arrowsize="0.5" fontname="Helvetica,Arial,sans-serif" fontsize="8"]
  "svc-web" [id="svc-web" label=<<TABLE BORDER="1" STYLE="rounded" COLOR="#c2570c" BGCOLOR="#fff7ed" CELLBORDER="0" CELLSPACING="6" CELLPADDING="2"><TR><TD COLSPAN="1"><FONT COLOR="#c2570c"><B>web</B></FONT> <FONT POINT-SIZE="8" COLOR="#5b6776">ECS service</FONT></TD></TR><TR><TD ID="svc-web-az-1a" PORT="svc-web-az-1a" TOOLTIP="web tasks in ap-northeast-1a" HREF="#" BORDER="1" STYLE="rounded,dashed" COLOR="#2f6fb0"><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="4" CELLPADDING="0"><TR><TD COLSPAN="1"><FONT POINT-SIZE="8" COLOR="#2f6fb0">ap-northeast-1a</FONT></TD></TR><TR><TD ID="task-web-1" PORT="task-web-1" TOOLTIP="ECS task web-1 · ap-northeast-1a · Envoy" HREF="#" BORDER="1" STYLE="rounded" COLOR="#c2570c" BGCOLOR="white" CELLPADDING="3"><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="1"><TR><TD COLSPAN="2" ALIGN="LEFT"><FONT POINT-SIZE="9" COLOR="#1f2933"><B>web-1</B></FONT></TD></TR><TR><TD BORDER="1" COLOR="#c2570c" BGCOLOR="white" SIDES="LTBR"><FONT POINT-SIZE="8" COLOR="#1f2933">app</FONT></TD><TD BORDER="1" COLOR="#7b3fd1" BGCOLOR="#f5f0ff"><FONT POINT-SIZE="8" COLOR="#7b3fd1">Envoy</FONT></TD></TR></TABLE></TD></TR></TABLE></TD></TR></TABLE>> shape="plain" tooltip="ECS service web" class="service svc--web"]
  "svc-api" [id="svc-api" label=<<TABLE BORDER="1" STYLE="rounded" COLOR="#c2570c" BGCOLOR="#fff7ed" CELLBORDER="0" CELLSPACING="6" CELLPADDING="2"><TR><TD COLSPAN="2"><FONT COLOR="#c2570c"><B>api</B></FONT> <FONT POINT-SIZE="8" COLOR="#5b6776">ECS service</FONT></TD></TR><TR><TD ID="svc-api-az-1a" PORT="svc-api-az-1a" TOOLTIP="api tasks in ap-northeast-1a" HREF="#" BORDER="1" STYLE="rounded,dashed" COLOR="#2f6fb0"><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="4" CELLPADDING="0"><TR><TD COLSPAN="1"><FONT POINT-SIZE="8" COLOR="#2f6fb0">ap-northeast-1a</FONT></TD></TR><TR><TD ID="task-api-1" PORT="task-api-1" TOOLTIP="ECS task api-1 · ap-northeast-1a · Envoy" HREF="#" BORDER="1" STYLE="rounded" COLOR="#c2570c" BGCOLOR="white" CELLPADDING="3"><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="1"><TR><TD COLSPAN="2" ALIGN="LEFT"><FONT POINT-SIZE="9" COLOR="#1f2933"><B>api-1</B></FONT></TD></TR><TR><TD BORDER="1" COLOR="#c2570c" BGCOLOR="white" SIDES="LTBR"><FONT POINT-SIZE="8" COLOR="#1f2933">app</FONT></TD><TD BORDER="1" COLOR="#7b3fd1" BGCOLOR="#f5f0ff"><FONT POINT-SIZE="8" COLOR="#7b3fd1">Envoy</FONT></TD></TR></TABLE></TD></TR></TABLE></TD><TD ID="svc-api-az-1c" PORT="svc-api-az-1c" TOOLTIP="api tasks in ap-northeast-1c" HREF="#" BORDER="1" STYLE="rounded,dashed" COLOR="#2f6fb0"><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="4" CELLPADDING="0"><TR><TD COLSPAN="1"><FONT POINT-SIZE="8" COLOR="#2f6fb0">ap-northeast-1c</FONT></TD></TR><TR><TD><FONT POINT-SIZE="8" COLOR="#5b6776">no tasks</FONT></TD></TR></TABLE></TD></TR></TABLE>> shape="plain" tooltip="ECS service api" class="service svc--api"]
  subgraph "cluster_aws-appmesh" {
    id="aws-appmesh"
    label="AWS managed"
    style="rounded,filled"
    fillcolor="#f4f6f8"
    color="#aab4c0"
    fontsize="8"
    fontcolor="#5b6776"
    labeljust="l"
    "cloud-map" [id="cloud-map" label=<<FONT COLOR="#7b3fd1"><B>AWS Cloud Map</B></FONT><BR/><FONT POINT-SIZE="8" COLOR="#5b6776">namespace local · ECS registers each task</FONT>> fillcolor="#f5f0ff" class="cloud-map"]
    "appmesh-cp" [id="appmesh-cp" label=<<FONT COLOR="#7b3fd1"><B>App Mesh control plane</B></FONT><BR/><FONT POINT-SIZE="8" COLOR="#5b6776">xDS: routes + endpoints to every Envoy</FONT>> fillcolor="#f5f0ff" class="control-plane"]
  }
  "cloud-map":e -> "appmesh-cp":w [id="edge-cloud-map--appmesh-cp" label=" endpoints" fontcolor="#7b3fd1" style="dashed" color="#7b3fd1" class="config"]
  "mesh" [id="mesh" shape="plain" tooltip="App Mesh mesh kumoben" label=<<TABLE BORDER="1" STYLE="rounded" COLOR="#7b3fd1" BGCOLOR="#f5f0ff" CELLBORDER="0" CELLSPACING="4" CELLPADDING="2"><TR><TD COLSPAN="5"><FONT COLOR="#7b3fd1"><B>App Mesh</B></FONT> <FONT POINT-SIZE="8" COLOR="#5b6776">mesh kumoben · the config every Envoy enforces</FONT></TD></TR><TR><TD ID="vs-api" PORT="vs-api" TOOLTIP="virtual service api.local" HREF="#" BORDER="1" STYLE="rounded" COLOR="#7b3fd1" BGCOLOR="white"><FONT COLOR="#7b3fd1"><B>api.local</B></FONT><BR/><FONT POINT-SIZE="8" COLOR="#5b6776">virtual service</FONT></TD><TD><FONT POINT-SIZE="10" COLOR="#7b3fd1">→</FONT></TD><TD ID="vr-api" PORT="vr-api" TOOLTIP="virtual router api-vr" HREF="#" BORDER="1" STYLE="rounded" COLOR="#7b3fd1" BGCOLOR="white"><FONT COLOR="#7b3fd1"><B>api-vr</B></FONT><BR/><FONT POINT-SIZE="8" COLOR="#5b6776">virtual router · route /</FONT></TD><TD><FONT POINT-SIZE="10" COLOR="#7b3fd1">→</FONT></TD><TD><TABLE BORDER="0" CELLSPACING="2" CELLPADDING="2"><TR><TD ID="vn-api" PORT="vn-api" TOOLTIP="virtual node api-vn (ECS service api)" HREF="#" BORDER="1" STYLE="rounded" COLOR="#7b3fd1" BGCOLOR="white"><FONT COLOR="#7b3fd1">100 % <B>api-vn</B></FONT><BR/><FONT POINT-SIZE="8" COLOR="#5b6776">virtual node · ECS service api</FONT></TD></TR></TABLE></TD></TR><TR><TD COLSPAN="4" ALIGN="RIGHT"><FONT POINT-SIZE="8" COLOR="#5b6776">client-only virtual nodes</FONT></TD><TD><TABLE BORDER="0" CELLSPACING="2" CELLPADDING="2"><TR><TD ID="vn-web" PORT="vn-web" TOOLTIP="virtual node web-vn (ECS service web)" HREF="#" BORDER="1" STYLE="rounded" COLOR="#7b3fd1" BGCOLOR="white"><FONT COLOR="#7b3fd1"><B>web-vn</B></FONT><BR/><FONT POINT-SIZE="8" COLOR="#5b6776">virtual node · ECS service web</FONT></TD></TR></TABLE></TD></TR></TABLE>> class="mesh"]
  "appmesh-cp":e -> "mesh":w [id="edge-appmesh-cp--mesh" label=" reads" fontcolor="#7b3fd1" style="dashed" color="#7b3fd1" class="config"]
  "svc-api" -> "cloud-map" [style=invis]
  {rank=same; "cloud-map" -> "appmesh-cp" -> "mesh" [style=invis]}
  "svc-web":"task-web-1":s -> "svc-api":"task-api-1":n [id="edge-web-1--api-1" class="call from--web to--api"]
}
"""

GOLDEN_SERVICE_DISCOVERY = r"""digraph "kumoben-service-discovery" {
  graph [id="diagram-service-discovery" rankdir="TB" newrank="true" compound="true" ordering="out" nodesep="0.3" ranksep="0.55" pad="0.15" bgcolor="transparent" fontname="Helvetica,Arial,sans-serif" fontsize="10" fontcolor="#1f2933" outputorder="edgesfirst" class="kb-diagram pattern--service-discovery"]
  node [shape="box" style="rounded,filled" fillcolor="white" color="#7b3fd1" fontname="Helvetica,Arial,sans-serif" fontsize="9" fontcolor="#1f2933" margin="0.08,0.04" penwidth="1.2"]
  edge [color="#8795a8" penwidth="0.7" arrowsize="0.5" fontname="Helvetica,Arial,sans-serif" fontsize="8"]
  "svc-web" [id="svc-web" label=<<TABLE BORDER="1" STYLE="rounded" COLOR="#c2570c" BGCOLOR="#fff7ed" CELLBORDER="0" CELLSPACING="6" CELLPADDING="2"><TR><TD COLSPAN="1"><FONT COLOR="#c2570c"><B>web</B></FONT> <FONT POINT-SIZE="8" COLOR="#5b6776">ECS service</FONT></TD></TR><TR><TD ID="dns-cache-web" PORT="dns-cache-web" TOOLTIP="DNS cache of web's tasks: api.local" HREF="#" BORDER="1" STYLE="dashed" COLOR="#5b6776" BGCOLOR="white" COLSPAN="1"><FONT POINT-SIZE="8" COLOR="#1f2933">client DNS cache:</FONT>&#160;<FONT POINT-SIZE="8" COLOR="#5b6776">api.local</FONT></TD></TR><TR><TD ID="svc-web-az-1a" PORT="svc-web-az-1a" TOOLTIP="web tasks in ap-northeast-1a" HREF="#" BORDER="1" STYLE="rounded,dashed" COLOR="#2f6fb0"><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="4" CELLPADDING="0"><TR><TD COLSPAN="1"><FONT POINT-SIZE="8" COLOR="#2f6fb0">ap-northeast-1a</FONT></TD></TR><TR><TD ID="task-web-1" PORT="task-web-1" TOOLTIP="ECS task web-1 · ap-northeast-1a" HREF="#" BORDER="1" STYLE="rounded" COLOR="#c2570c" BGCOLOR="white" CELLPADDING="3"><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="1"><TR><TD COLSPAN="2" ALIGN="LEFT"><FONT POINT-SIZE="9" COLOR="#1f2933"><B>web-1</B></FONT></TD></TR><TR><TD BORDER="1" COLOR="#c2570c" BGCOLOR="white" SIDES="LTBR"><FONT POINT-SIZE="8" COLOR="#1f2933">app</FONT></TD><TD><FONT POINT-SIZE="8" COLOR="#2f6fb0">1a</FONT></TD></TR></TABLE></TD></TR></TABLE></TD></TR></TABLE>> shape="plain" tooltip="ECS service web" class="service svc--web"]
  "svc-api" [id="svc-api" label=<<TABLE BORDER="1" STYLE="rounded" COLOR="#c2570c" BGCOLOR="#fff7ed" CELLBORDER="0" CELLSPACING="6" CELLPADDING="2"><TR><TD COLSPAN="2"><FONT COLOR="#c2570c"><B>api</B></FONT> <FONT POINT-SIZE="8" COLOR="#5b6776">ECS service</FONT></TD></TR><TR><TD ID="svc-api-az-1a" PORT="svc-api-az-1a" TOOLTIP="api tasks in ap-northeast-1a" HREF="#" BORDER="1" STYLE="rounded,dashed" COLOR="#2f6fb0"><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="4" CELLPADDING="0"><TR><TD COLSPAN="1"><FONT POINT-SIZE="8" COLOR="#2f6fb0">ap-northeast-1a</FONT></TD></TR><TR><TD ID="task-api-1" PORT="task-api-1" TOOLTIP="ECS task api-1 · ap-northeast-1a" HREF="#" BORDER="1" STYLE="rounded" COLOR="#c2570c" BGCOLOR="white" CELLPADDING="3"><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="1"><TR><TD COLSPAN="2" ALIGN="LEFT"><FONT POINT-SIZE="9" COLOR="#1f2933"><B>api-1</B></FONT></TD></TR><TR><TD BORDER="1" COLOR="#c2570c" BGCOLOR="white" SIDES="LTBR"><FONT POINT-SIZE="8" COLOR="#1f2933">app</FONT></TD><TD><FONT POINT-SIZE="8" COLOR="#2f6fb0">1a</FONT></TD></TR></TABLE></TD></TR></TABLE></TD><TD ID="svc-api-az-1c" PORT="svc-api-az-1c" TOOLTIP="api tasks in ap-northeast-1c" HREF="#" BORDER="1" STYLE="rounded,dashed" COLOR="#2f6fb0"><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="4" CELLPADDING="0"><TR><TD COLSPAN="1"><FONT POINT-SIZE="8" COLOR="#2f6fb0">ap-northeast-1c</FONT></TD></TR><TR><TD><FONT POINT-SIZE="8" COLOR="#5b6776">no tasks</FONT></TD></TR></TABLE></TD></TR></TABLE>> shape="plain" tooltip="ECS service api" class="service svc--api"]
  subgraph "cluster_aws-discovery" {
    id="aws-discovery"
    label="AWS managed"
    style="rounded,filled"
    fillcolor="#f4f6f8"
    color="#aab4c0"
    fontsize="8"
    fontcolor="#5b6776"
    labeljust="l"
    "cloud-map" [id="cloud-map" label=<<FONT COLOR="#7b3fd1"><B>AWS Cloud Map</B></FONT><BR/><FONT POINT-SIZE="8" COLOR="#5b6776">namespace local · ECS registers each task</FONT>> fillcolor="#f5f0ff" class="cloud-map"]
    "r53-zone" [id="r53-zone" label=<<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="1"><TR><TD COLSPAN="2" ALIGN="LEFT"><FONT COLOR="#7b3fd1"><B>Route 53 private hosted zone</B></FONT> <FONT POINT-SIZE="8" COLOR="#5b6776">local.</FONT></TD></TR><TR><TD ALIGN="LEFT"><FONT POINT-SIZE="8" COLOR="#1f2933">web.local</FONT></TD><TD ALIGN="LEFT"><FONT POINT-SIZE="8" COLOR="#5b6776">A · multivalue</FONT></TD></TR><TR><TD ALIGN="LEFT"><FONT POINT-SIZE="8" COLOR="#1f2933">api.local</FONT></TD><TD ALIGN="LEFT"><FONT POINT-SIZE="8" COLOR="#5b6776">A · multivalue</FONT></TD></TR></TABLE>> fillcolor="#f5f0ff" class="hosted-zone"]
  }
  "cloud-map":s -> "r53-zone":n [id="edge-cloud-map--r53-zone" label=" records" style="dashed" color="#7b3fd1" fontcolor="#7b3fd1" class="config"]
  "svc-web":"task-web-1":e -> "r53-zone":w [id="edge-web-1--r53-zone" style="dotted" color="#7b3fd1" constraint="false" class="dns-query from--web"]
  "svc-web":"task-web-1":s -> "svc-api":"task-api-1":n [id="edge-web-1--api-1" class="call from--web to--api"]
}
"""

GOLDEN_SERVICE_CONNECT = r"""digraph "kumoben-service-connect" {
  graph [id="diagram-service-connect" rankdir="TB" newrank="true" compound="true" ordering="out" nodesep="0.3" ranksep="0.55" pad="0.15" bgcolor="transparent" fontname="Helvetica,Arial,sans-serif" fontsize="10" fontcolor="#1f2933" outputorder="edgesfirst" class="kb-diagram pattern--service-connect"]
  node [shape="box" style="rounded,filled" fillcolor="white" color="#7b3fd1" fontname="Helvetica,Arial,sans-serif" fontsize="9" fontcolor="#1f2933" margin="0.08,0.04" penwidth="1.2"]
  edge [color="#8795a8" penwidth="0.7" arrowsize="0.5" fontname="Helvetica,Arial,sans-serif" fontsize="8"]
  subgraph "cluster_sc_namespace" {
    id="sc-namespace"
    class="namespace"
    label=<<FONT COLOR="#7b3fd1"><B>Service Connect namespace</B></FONT> <FONT POINT-SIZE="8" COLOR="#5b6776">AWS Cloud Map local · ECS pushes endpoints to every agent · no DNS query leaves the task</FONT>>
    style="rounded,dashed"
    color="#7b3fd1"
    penwidth="1.2"
    margin="10"
    "svc-web" [id="svc-web" label=<<TABLE BORDER="1" STYLE="rounded" COLOR="#c2570c" BGCOLOR="#fff7ed" CELLBORDER="0" CELLSPACING="6" CELLPADDING="2"><TR><TD COLSPAN="1"><FONT COLOR="#c2570c"><B>web</B></FONT> <FONT POINT-SIZE="8" COLOR="#5b6776">ECS service</FONT></TD></TR><TR><TD ID="svc-web-az-1a" PORT="svc-web-az-1a" TOOLTIP="web tasks in ap-northeast-1a" HREF="#" BORDER="1" STYLE="rounded,dashed" COLOR="#2f6fb0"><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="4" CELLPADDING="0"><TR><TD COLSPAN="1"><FONT POINT-SIZE="8" COLOR="#2f6fb0">ap-northeast-1a</FONT></TD></TR><TR><TD ID="task-web-1" PORT="task-web-1" TOOLTIP="ECS task web-1 · ap-northeast-1a · SC agent" HREF="#" BORDER="1" STYLE="rounded" COLOR="#c2570c" BGCOLOR="white" CELLPADDING="3"><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="1"><TR><TD COLSPAN="2" ALIGN="LEFT"><FONT POINT-SIZE="9" COLOR="#1f2933"><B>web-1</B></FONT></TD></TR><TR><TD BORDER="1" COLOR="#c2570c" BGCOLOR="white" SIDES="LTBR"><FONT POINT-SIZE="8" COLOR="#1f2933">app</FONT></TD><TD BORDER="1" COLOR="#7b3fd1" BGCOLOR="#f5f0ff"><FONT POINT-SIZE="8" COLOR="#7b3fd1">SC agent</FONT></TD></TR></TABLE></TD></TR></TABLE></TD></TR></TABLE>> shape="plain" tooltip="ECS service web" class="service svc--web"]
    "svc-api" [id="svc-api" label=<<TABLE BORDER="1" STYLE="rounded" COLOR="#c2570c" BGCOLOR="#fff7ed" CELLBORDER="0" CELLSPACING="6" CELLPADDING="2"><TR><TD COLSPAN="2"><FONT COLOR="#c2570c"><B>api</B></FONT> <FONT POINT-SIZE="8" COLOR="#5b6776">ECS service</FONT></TD></TR><TR><TD ID="svc-api-az-1a" PORT="svc-api-az-1a" TOOLTIP="api tasks in ap-northeast-1a" HREF="#" BORDER="1" STYLE="rounded,dashed" COLOR="#2f6fb0"><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="4" CELLPADDING="0"><TR><TD COLSPAN="1"><FONT POINT-SIZE="8" COLOR="#2f6fb0">ap-northeast-1a</FONT></TD></TR><TR><TD ID="task-api-1" PORT="task-api-1" TOOLTIP="ECS task api-1 · ap-northeast-1a · SC agent" HREF="#" BORDER="1" STYLE="rounded" COLOR="#c2570c" BGCOLOR="white" CELLPADDING="3"><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="1"><TR><TD COLSPAN="2" ALIGN="LEFT"><FONT POINT-SIZE="9" COLOR="#1f2933"><B>api-1</B></FONT></TD></TR><TR><TD BORDER="1" COLOR="#c2570c" BGCOLOR="white" SIDES="LTBR"><FONT POINT-SIZE="8" COLOR="#1f2933">app</FONT></TD><TD BORDER="1" COLOR="#7b3fd1" BGCOLOR="#f5f0ff"><FONT POINT-SIZE="8" COLOR="#7b3fd1">SC agent</FONT></TD></TR></TABLE></TD></TR></TABLE></TD><TD ID="svc-api-az-1c" PORT="svc-api-az-1c" TOOLTIP="api tasks in ap-northeast-1c" HREF="#" BORDER="1" STYLE="rounded,dashed" COLOR="#2f6fb0"><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="4" CELLPADDING="0"><TR><TD COLSPAN="1"><FONT POINT-SIZE="8" COLOR="#2f6fb0">ap-northeast-1c</FONT></TD></TR><TR><TD><FONT POINT-SIZE="8" COLOR="#5b6776">no tasks</FONT></TD></TR></TABLE></TD></TR></TABLE>> shape="plain" tooltip="ECS service api" class="service svc--api"]
  }
  "svc-web":"task-web-1":s -> "svc-api":"task-api-1":n [id="edge-web-1--api-1" class="call from--web to--api"]
}
"""


@pytest.mark.parametrize(
    ("pattern", "golden"),
    [
        ("elb", GOLDEN_ELB),
        ("app-mesh", GOLDEN_APP_MESH),
        ("service-discovery", GOLDEN_SERVICE_DISCOVERY),
        ("service-connect", GOLDEN_SERVICE_CONNECT),
    ],
)
def test_build_dot_tiny_topology_matches_golden(pattern: str, golden: str) -> None:
    dot = diagrams.build_dot(TINY, pattern)

    assert dot == golden
