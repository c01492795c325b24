"""The static files, served by WhiteNoise with its index of the files built once per process.

WhiteNoise's middleware lists every static file (through the finders, and ``STATIC_ROOT``) when
it is made, and Django makes the middleware chain anew for every request handler: once per
process in production, but once per test client in the tests — some thousands of times a run.
``StaticFilesMiddleware`` keeps the index of what it read, keyed by every setting that shapes
it, and a later instance with the same settings takes it as it is. With autorefresh (``DEBUG``)
WhiteNoise looks each file up per request and nothing is kept."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings as django_settings
from whitenoise.middleware import WhiteNoiseMiddleware


class StaticFilesMiddleware(WhiteNoiseMiddleware):  # type: ignore[misc]  # untyped
    _indexes: ClassVar[dict[tuple[Any, ...], dict[str, Any]]] = {}

    def _key(self, *parts: Any) -> tuple[Any, ...]:
        s = django_settings
        return (
            *parts,
            self.static_prefix,
            self.max_age,
            self.allow_all_origins,
            self.charset,
            self.index_file,
            self.autorefresh,
            repr(getattr(s, "WHITENOISE_MIMETYPES", None)),
            repr(getattr(s, "WHITENOISE_ADD_HEADERS_FUNCTION", None)),
            repr(getattr(s, "WHITENOISE_IMMUTABLE_FILE_TEST", None)),
            tuple(map(str, getattr(s, "STATICFILES_DIRS", ()))),
            tuple(getattr(s, "STATICFILES_FINDERS", ())),
            tuple(s.INSTALLED_APPS),
        )

    def _cached(self, key: tuple[Any, ...], read: Any) -> None:
        index = self._indexes.get(key)
        if index is None:
            before = dict(self.files)
            read()
            index = {url: f for url, f in self.files.items() if before.get(url) is not f}
            self._indexes[key] = index
        else:
            self.files.update(index)  # in the order read: a later root wins, as in WhiteNoise

    def add_files(self, root: str, prefix: str | None = None) -> None:
        if self.autorefresh:  # looked up per request: nothing to keep
            super().add_files(root, prefix)
            return
        key = self._key("root", str(root), prefix)
        self._cached(key, lambda: super(StaticFilesMiddleware, self).add_files(root, prefix))

    def add_files_from_finders(self) -> None:
        key = self._key("finders")
        self._cached(key, super().add_files_from_finders)
