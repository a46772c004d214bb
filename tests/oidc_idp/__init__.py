"""A real OpenID Connect provider for the single sign-on tests: a small Django project built on
django-oidc-provider, run as a separate process (see tests/oidc_support.py) with its own SQLite
file and RSA signing key. It stands in for Microsoft Entra ID, Google Workspace or Keycloak."""
