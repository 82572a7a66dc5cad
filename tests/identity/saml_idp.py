"""A real SAML 2.0 identity provider for the tests: pysaml2's IdP, signing with xmlsec1 like the SP checks.

The browser's part (carrying the AuthnRequest there and the Response back) is the test client's: the
IdP reads the request from the redirect URL the console answered and returns the HTTP-POST form's
fields. A test may make one response wrong: another audience, expired, signed by a key the metadata
does not hold, unsigned, for another recipient, for another address. Its metadata is also served
over HTTP on a loopback port (the "metadata URL" set-up).
"""

import base64
import datetime
import ipaddress
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS, NameID
from saml2.server import Server

ENTITY_ID = "https://idp.example.test/saml/metadata"
SSO_URL = "https://idp.example.test/saml/sso"
PASSWORD_CLASS = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"


def key_pair(folder, name, ip=None):
    """A self-signed certificate and its key as PEM files: (key file, certificate file); `ip`, when given,
    is its subject alternative name (a TLS server on that address)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
    )
    if ip:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(ip))]),
                                        critical=False)
    cert = builder.sign(key, hashes.SHA256())
    key_file, cert_file = Path(folder) / f"{name}.key", Path(folder) / f"{name}.crt"
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(key_file), str(cert_file)


class SamlIdP:
    def __init__(self, folder):
        self.keys = {"good": key_pair(folder, "idp"), "rogue": key_pair(folder, "rogue")}
        self.metadata_xml = str(entity_descriptor(self._config("good", sp_metadata=None, lifetime=5)))
        self.http = ThreadingHTTPServer(("127.0.0.1", 0), _metadata_handler(self))
        self.metadata_url = f"http://127.0.0.1:{self.http.server_address[1]}/metadata"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def stop(self):
        self.http.shutdown()
        self.http.server_close()

    def _config(self, key, *, sp_metadata, lifetime):
        key_file, cert_file = self.keys[key]
        config = IdPConfig()
        config.load({
            "entityid": ENTITY_ID,
            "service": {"idp": {
                "endpoints": {"single_sign_on_service": [(SSO_URL, BINDING_HTTP_REDIRECT)]},
                "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                "policy": {"default": {"lifetime": {"minutes": lifetime}, "attribute_restrictions": None}},
            }},
            "key_file": key_file, "cert_file": cert_file,
            "xmlsec_binary": "/usr/bin/xmlsec1",
            **({"metadata": {"inline": [sp_metadata]}} if sp_metadata else {}),
        })
        return config

    def respond(self, location, sp_metadata, email, *, key="good", lifetime=5, audience=None, sign=True,
                destination=None, attributes=None):
        """The HTTP-POST fields (SAMLResponse, RelayState) answering the AuthnRequest in ``location``."""
        query = {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}
        server = Server(config=self._config(key, sp_metadata=sp_metadata, lifetime=lifetime))
        request = server.parse_authn_request(query["SAMLRequest"], BINDING_HTTP_REDIRECT).message
        acs = request.assertion_consumer_service_url
        response = server.create_authn_response(
            attributes if attributes is not None else {"mail": [email], "displayName": ["Ada Lovelace"]},
            in_response_to=request.id, destination=destination or acs, sp_entity_id=audience or request.issuer.text,
            name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=email),
            sign_assertion=sign, sign_response=False,
            authn={"class_ref": PASSWORD_CLASS, "authn_auth": ENTITY_ID},
        )
        return {"SAMLResponse": base64.b64encode(str(response).encode()).decode(), "RelayState": query.get("RelayState", "")}


def _metadata_handler(idp):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            body = idp.metadata_xml.encode()
            self.send_response(200 if self.path == "/metadata" else 404)
            self.send_header("Content-Type", "application/samlmetadata+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler
