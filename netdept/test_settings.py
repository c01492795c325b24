"""Settings for the test suite: a throw-away data directory, fast hashing, tasks run inline."""

import os
import tempfile

os.environ.setdefault("NETDEPT_DATA_DIR", tempfile.mkdtemp(prefix="netdept-test-"))
if os.environ.get("PYTEST_XDIST_WORKER"):
    # Each xdist worker gets a data directory of its own (uploaded files, generated keys):
    # the workers inherit the controller's environment, and a test that checks "no file was
    # stored" must not see a file another worker's test is storing at the same moment.
    worker = os.environ["PYTEST_XDIST_WORKER"]
    os.environ["NETDEPT_DATA_DIR"] = tempfile.mkdtemp(prefix=f"netdept-test-{worker}-")

from netdept.settings import *  # noqa: F403
from netdept.settings import NETDEPT, PASSWORD_HASHERS, TASK_QUEUES

ALLOWED_HOSTS = ["*"]
# Argon2 stays first in production settings (tested); tests hash fast.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": TASK_QUEUES,
    }
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Tests sign privileged users in without a second factor unless a test asks for one
# (the 2FA tests flag roles themselves; test_permissions checks the production default).
# The local receivers of the notification tests listen on 127.0.0.1 (netdept.testing.receivers):
# loopback is let through here only (test_outbound checks the production default).
NETDEPT = {**NETDEPT, "PRIVILEGED_ROLES_REQUIRE_2FA": False, "OUTBOUND_ALLOW_LOOPBACK": True}
# The example module of docs/adding-a-module.md (netdept/testing/example): installed for the
# tests only, where its generated tests run and netdept/testing/test_guide.py checks the guide.
INSTALLED_APPS = [*INSTALLED_APPS, "netdept.testing.example"]  # noqa: F405
