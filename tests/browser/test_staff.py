"""The staff pages in Chromium: a listener given staff rights checks the LLM providers (a free
health check against the LLM sandbox), forces the fallback from the providers admin, and the LLM
status page says so; the staff overview opens too."""

from __future__ import annotations

from accounts.models import User
from llm.models import Provider, ProviderKind
from tests.browser.flows import sign_in_through_consent_page
from tests.fixtures.llm_sandbox import FALLBACK, FALLBACK_MODEL, PRIMARY, PRIMARY_MODEL
from tests.llm.factories import ProviderFactory


def _admin_action(browser, *, provider: Provider, action: str) -> None:
    """On the providers admin: tick `provider`, choose `action`, Go."""
    browser.click(f"input[name=_selected_action][value='{provider.pk}']")
    browser.choose("select[name=action]", value=action)
    browser.click("button[name=index]")


def test_staff_check_the_providers_force_the_fallback_and_the_llm_page_says_so(
    browser, sandbox, fresh_llm_sandbox, transactional_db
):
    ProviderFactory(
        name=PRIMARY, kind=ProviderKind.OPENAI, base_url=fresh_llm_sandbox.openai_url(PRIMARY),
        model=PRIMARY_MODEL, priority=10,
    )  # fmt: skip
    fallback = ProviderFactory(
        name=FALLBACK, kind=ProviderKind.OLLAMA, base_url=fresh_llm_sandbox.ollama_url(FALLBACK),
        model=FALLBACK_MODEL, priority=20,
    )  # fmt: skip
    listener = sign_in_through_consent_page(browser, steps=False)
    # An operator gives the listener staff rights in the admin.
    User.objects.filter(pk=listener.pk).update(is_staff=True, is_superuser=True)

    browser.open("/dashboard/")
    # One "Staff" link in the navigation; the staff page leads on to the LLM status.
    browser.click(browser.link("Staff", within=".site-header"))
    browser.wait_for(lambda: browser.path == "/staff/", message="the staff page")
    browser.click(browser.link("Providers, circuits and latest calls"))
    browser.wait_for_text("LLM providers", css="h1")
    assert f"Next request goes to {PRIMARY}" in browser.text("main")
    assert "Forced:" not in browser.text("main")
    browser.step("staff, LLM status")

    browser.click(browser.link("the admin's providers"))
    browser.wait_for(lambda: "/admin/llm/provider/" in browser.path, message="the providers admin")
    # Django's own admin pages: screenshots only, axe judges our templates.
    browser.step("admin, LLM providers", axe=False)
    for provider in Provider.objects.all():
        browser.click(f"input[name=_selected_action][value='{provider.pk}']")
    browser.choose("select[name=action]", value="check_now")
    browser.click("button[name=index]")
    browser.wait_for(
        lambda: all(
            f"{name.capitalize()}: up (" in browser.text(".messagelist") for name in (PRIMARY, FALLBACK)
        ),
        message="both providers up",
    )
    _admin_action(browser, provider=fallback, action="force_provider")
    # The admin writes its messages with a capital first letter.
    browser.wait_for_text(f"{FALLBACK.capitalize()} is forced until unforced or reset.", css=".messagelist")
    browser.step("admin, the fallback forced", axe=False)

    browser.open("/staff/llm/")
    status = browser.text("main")
    assert f"Forced: {FALLBACK}" in status and f"Next request goes to {FALLBACK}" in status
    assert "forced" in browser.text("table.llm-providers")
    assert fresh_llm_sandbox.requests_to(PRIMARY) >= 1 and fresh_llm_sandbox.requests_to(FALLBACK) >= 1
    browser.step("staff, LLM status with a forced provider")

    browser.click(browser.link("Staff", within=".site-header"))
    browser.wait_for(lambda: browser.path == "/staff/", message="the staff overview")
    browser.step("staff overview")
