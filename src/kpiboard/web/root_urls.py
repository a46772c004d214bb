"""The site's URL root: the application under the ``kpiboard`` namespace."""

from django.urls import include, path

urlpatterns = [path("", include("kpiboard.web.urls"))]
