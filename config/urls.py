from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerView

from clinic.sites import clinic_site
from config import health, wellknown
from config.api_docs import SchemaView
from config.home import home
from config.landing import after_sign_in
from webapp import views as webapp_views

handler404 = "config.api_docs.not_found"
handler500 = "config.api_docs.error"

urlpatterns = [
    # Clinicians' workspace (the link in their alert emails); operators' admin apart at /ops/.
    path("admin/", clinic_site.urls),
    path("ops/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path(
        "api/docs/",
        SpectacularSwaggerView.as_view(url_name="schema", permission_classes=[]),
        name="swagger-ui",
    ),
    path("signed-in/", after_sign_in, name="after-sign-in"),
    # The patient's web app: the page every link the service sends a patient opens.
    path("app/", include("webapp.urls")),
    path("favicon.ico", webapp_views.favicon, name="favicon"),
    # Deep links: the native app opens /app/... links where it is installed.
    path(
        ".well-known/apple-app-site-association",
        wellknown.apple_app_site_association,
        name="apple-app-site-association",
    ),
    path(".well-known/assetlinks.json", wellknown.assetlinks, name="assetlinks"),
    path("health/", health.ready, name="health"),
    path("health/live/", health.live, name="health-live"),
    path("health/ready/", health.ready, name="health-ready"),
    path("", home, name="home"),
]
