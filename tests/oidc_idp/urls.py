from django.contrib.auth.views import LoginView
from django.urls import include, path

from . import views

urlpatterns = [
    path("openid/", include("oidc_provider.urls", namespace="oidc_provider")),
    path("accounts/login/", LoginView.as_view(template_name="idp/login.html"), name="login"),
    path("testing/people/", views.add_person),
    path("testing/redirect-uris/", views.add_redirect_uri),
]
