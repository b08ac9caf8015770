"""Progress of long work shown to people: one partial (``core/partials/progress.html``) polled by HTMX every
two seconds while the work runs, and left alone once it is finished. Each kind of job has a small view that
builds a :class:`Progress` from its own row (scoped to the person's organisation) and answers with
:func:`progress_response`."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

TEMPLATE = "core/partials/progress.html"
POLL_SECONDS = 2


@dataclass(frozen=True)
class Progress:
    element_id: str  # the HTML id the partial replaces itself by
    url: str  # the small view that answers with this partial
    label: str  # translated words with the counts, e.g. "1 200 of 5 000 rows checked"
    done: int
    total: int  # 0 while unknown: the bar is then shown without a value
    finished: bool
    status: str = ""  # translated state, e.g. "Being compared"
    failure: str = ""  # translated reason when the work failed
    result_url: str = ""  # where the result is shown once finished
    result_label: str = ""
    reload_when_finished: bool = False  # the page around the partial shows the result: reload it

    @property
    def percent(self) -> int:
        if self.finished:
            return 100
        if self.total <= 0:
            return 0
        return min(99, self.done * 100 // self.total)

    @property
    def poll_seconds(self) -> int:
        return POLL_SECONDS


def progress_response(request: HttpRequest, progress: Progress) -> HttpResponse:
    """The partial; a poll that finds the work finished asks HTMX to reload the page when the page shows the
    result itself (``HX-Refresh``), so the person never reloads by hand."""
    response = HttpResponse(render_to_string(TEMPLATE, {"progress": progress}, request=request))
    if progress.finished and progress.reload_when_finished and request.headers.get("HX-Request") == "true":
        response["HX-Refresh"] = "true"
    return response
