"""Study-session URLs, mounted at /sessions/ (the index keeps the name "sessions")."""

from __future__ import annotations

from django.urls import path

from patterns.sessions import accounts, views

urlpatterns = [
    path("", views.index, name="sessions"),
    path("join/", views.join, name="sessions-join"),
    path("join/<str:code>/", views.index, name="sessions-join-code"),
    path("new/", views.create, name="sessions-create"),
    path("mine/", accounts.mine, name="sessions-mine"),
    path("<slug:public_id>/", views.room, name="sessions-room"),
    path("<slug:public_id>/present/", views.present, name="sessions-present"),
    path("<slug:public_id>/console/", views.console, name="sessions-console"),
    path("<slug:public_id>/slides/<int:number>/", views.slide, name="sessions-slide"),
    path("<slug:public_id>/end/", views.end, name="sessions-end"),
    path("<slug:public_id>/report/", views.report, name="sessions-report"),
    path("<slug:public_id>/report.csv", views.report_csv, name="sessions-report-csv"),
    path("<slug:public_id>/qr.svg", views.qr, name="sessions-qr"),
]
