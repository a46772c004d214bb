"""The site's URL root: the REST API under /api/v1/, the application under the ``kpiboard``
namespace."""

from django.urls import include, path

from .api import api

urlpatterns = [path("api/v1/", api.urls), path("", include("kpiboard.web.urls"))]
