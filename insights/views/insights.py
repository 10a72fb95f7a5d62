"""The insight cards' action: "Generate" / "Regenerate" (POST, back to the page it came from).

The cards themselves are templates/insights/_insight_cards.html, included by the insights page
with `snapshot` and `insight_cards` (selectors.insight_cards) in its context. Both actions count
toward the API's insights limit (insights.throttles); a refusal, that or the regeneration
cooldown, comes back as a message on the page.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit, urlunsplit

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.http.request import QueryDict
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from insights import selectors
from core.runs import RunStatus
from core.throttles import Throttled
from insights.models import InsightKind, InsightTone
from insights.selectors.insights import tone_param
from insights.services import insight_writer
from insights.throttles import InsightThrottle

DEFAULT_NEXT = "/insights/"  # the insights page (insights:insights)


class InsightActionForm(forms.Form):
    snapshot = forms.IntegerField(min_value=1)
    kind = forms.ChoiceField(choices=InsightKind.choices)
    tone = forms.ChoiceField(choices=InsightTone.choices)
    # "regenerate" on a card showing a written insight: write that tone again. Otherwise the
    # stored one is shown if there is one, and written if not.
    action = forms.ChoiceField(
        choices=[("generate", "Generate"), ("regenerate", "Regenerate")], required=False
    )
    next = forms.CharField(required=False)


@login_required
@require_POST
def generate(request: HttpRequest) -> HttpResponse:
    form = InsightActionForm(request.POST)
    if not form.is_valid():
        problems = "; ".join(f"{field}: {' '.join(errors)}" for field, errors in form.errors.items())
        return HttpResponseBadRequest(f"Bad request: {problems}", content_type="text/plain; charset=utf-8")
    data = form.cleaned_data
    snapshot = selectors.own_snapshot(user=request.user, snapshot_id=data["snapshot"])
    if snapshot is None:
        raise Http404("No such snapshot of yours.")
    label = InsightKind(data["kind"]).label.lower()
    try:
        InsightThrottle.check(request)
        insight, queued = insight_writer.request_insight(
            user=request.user, snapshot=snapshot, kind=data["kind"], tone=data["tone"]
        )
        if data["action"] == "regenerate" and not queued and insight.status == RunStatus.SUCCEEDED:
            insight, queued = insight_writer.regenerate_insight(user=request.user, insight=insight)
    except (Throttled, insight_writer.InsightError) as exc:  # no provider, too soon, too often
        messages.error(request, str(exc))
    else:
        # Queued, or being written already: no message. The card the redirect lands on says
        # "Writing your … insight" and swaps itself for the insight when it is done; a flash
        # saying so would stay above that card, contradicting it (a flash is fixed when the page
        # is served). Only an outcome that is final when the page is served is flashed.
        if not queued and insight.status == RunStatus.SUCCEEDED:
            messages.info(request, f"Here is your {label} insight, written earlier from this snapshot.")
    return redirect(_back(request, target=data["next"], kind=data["kind"], tone=data["tone"]))


def _back(request: HttpRequest, *, target: str, kind: str, tone: str) -> str:
    """The page the form came from, showing the tone just asked for on that kind's card."""
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = DEFAULT_NEXT
    parts = urlsplit(target)
    query = QueryDict(parts.query, mutable=True)
    query[tone_param(kind)] = tone
    return urlunsplit(("", "", parts.path, urlencode(list(query.lists()), doseq=True), f"insight-{kind}"))
