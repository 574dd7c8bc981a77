"""The progress page: steps read, quizzes and labs, from the session or the learner's account."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from patterns.labs import checks as labs
from patterns.labs.texts import lab_text
from patterns.lessons import library
from patterns.progress import records as progress


@require_GET
def progress_page(request: HttpRequest) -> HttpResponse:
    store = progress.ProgressStore(request)
    record = store.load()
    lang = library.language()
    lesson_rows = progress.lesson_rows(record, library.lessons(lang).values())
    lab_rows = [
        {
            "slug": lab.slug,
            "order": lab.order,
            "title": lab_text(lang, lab.slug)["title"],
            "result": record["labs"].get(lab.slug),
        }
        for lab in labs.LABS.values()
    ]
    context = {
        "signed_in": store.signed_in,
        "lesson_rows": lesson_rows,
        "lab_rows": lab_rows,
        "steps_read": sum(row["read"] for row in lesson_rows),
        "steps_total": sum(row["total"] for row in lesson_rows),
        "quizzes_passed": sum(1 for row in lesson_rows if row["quiz"] and row["quiz"]["passed"]),
        "labs_passed": sum(1 for row in lab_rows if row["result"] and row["result"]["passed"]),
    }
    return render(request, "progress/page.html", context)
