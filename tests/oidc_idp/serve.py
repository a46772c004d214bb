"""Start the test identity provider: ``python -m tests.oidc_idp.serve``.

It binds a free port on 127.0.0.1 first (so its own address, and so its issuer, is known before
Django starts), migrates its SQLite file, makes an RSA signing key and the kpiboard client, then
prints one JSON line (the issuer) and serves until it is stopped. The environment gives the
database file, the client's id and secret, and the seeding token (see tests/oidc_support.py).
"""

from __future__ import annotations

import json
import os
import sys
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # the base class's signature
        pass


def _setup_provider() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from django.core.management import call_command
    from oidc_provider.lib.utils.common import get_issuer
    from oidc_provider.models import Client, ResponseType, RSAKey

    call_command("migrate", verbosity=0, interactive=False)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    RSAKey.objects.create(key=pem)
    client = Client.objects.create(
        name="kpiboard",
        client_type="confidential",
        client_id=os.environ["IDP_CLIENT_ID"],
        client_secret=os.environ["IDP_CLIENT_SECRET"],
        jwt_alg="RS256",
        require_consent=True,
        reuse_consent=False,
    )
    client.response_types.set(ResponseType.objects.filter(value="code"))
    return get_issuer(site_url=os.environ["IDP_SITE_URL"])


def main() -> None:
    server = make_server(
        "127.0.0.1", 0, lambda e, s: [], server_class=_Server, handler_class=_QuietHandler
    )
    port = server.server_address[1]
    os.environ["IDP_SITE_URL"] = f"http://127.0.0.1:{port}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.oidc_idp.settings")
    import django
    from django.core.wsgi import get_wsgi_application

    django.setup()
    issuer = _setup_provider()
    server.set_app(get_wsgi_application())
    print(json.dumps({"issuer": issuer, "port": port}), flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    sys.exit(main())
