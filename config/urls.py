from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from core.api_docs import docs_page
from core.health import health

urlpatterns = [
    path("health", health, name="health"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", docs_page(SpectacularSwaggerView.as_view(url_name="schema")), name="api-docs"),
    path("api/redoc/", docs_page(SpectacularRedocView.as_view(url_name="schema")), name="api-redoc"),
    path("api/", include("core.api_urls")),
    path("api/", include("accounts.api_urls")),
    path("api/", include("sync.api_urls")),
    path("api/", include("routing.api_urls")),
    path("api/", include("library.api_urls")),
    path("api/", include("devices.api_urls")),
    path("api/", include("llm.api_urls")),
    path("api/", include("analysis.api_urls")),
    path("api/", include("insights.api_urls")),
    path("api/", include("exports.api_urls")),
    path("", include("accounts.urls")),
    path("", include("sync.urls")),
    path("", include("routing.urls")),
    path("", include("library.urls")),
    path("", include("devices.urls")),
    path("", include("llm.urls")),
    path("", include("analysis.urls")),
    path("", include("insights.urls")),
    path("", include("exports.urls")),
]
