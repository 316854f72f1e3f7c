from django.urls import path, re_path

from webapp import views

app_name = "webapp"

urlpatterns = [
    path("sw.js", views.service_worker, name="sw"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    # Every other page under /app/ is the same shell; the client-side router draws the page,
    # so a deep link from an email or a reload works. A path with a dot (a missing file) is
    # a 404, not a page.
    re_path(r"^(?:[a-z0-9-]+(?:/[a-z0-9-]+)*/?)?$", views.shell, name="shell"),
]
