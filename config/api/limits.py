"""The longest URL a request may have: beyond it, a JSON 414 instead of work.

Lists take many ids in the query string (`id[]=...` per id, as Medusa's client writes them),
so the bound is generous. gunicorn (`config/gunicorn.py`) holds request lines to the same
length and answers a longer one with a JSON 414 of its own.
"""

from config.api.errors import respond

MAX_URL_LENGTH = 8190


def url_length_limit(get_response):
    """Middleware: a URL past MAX_URL_LENGTH is answered 414 `invalid_data`."""

    def middleware(request):
        if len(request.get_full_path()) > MAX_URL_LENGTH:
            return respond(
                414,
                "invalid_data",
                f"The URL is longer than {MAX_URL_LENGTH} characters: ask for fewer ids at a time",
            )
        return get_response(request)

    return middleware
