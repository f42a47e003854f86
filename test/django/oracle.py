"""Real Django as the oracle for the differential test (test/integration/django-differential.test.ts).

Reads a JSON list of cases on stdin, runs each through Django's own request pipeline (the test
Client: BrokenLinkEmailsMiddleware, CommonMiddleware, log_response, and AdminEmailHandler from
Django's default logging config) with the case's settings, and prints one JSON list: per case the
Referer actually sent and every mail Django would have sent.

Run with Debian's Django: /usr/bin/python3 test/django/oracle.py < cases.json
"""

import json
import re
import sys

import django
from django.conf import settings

settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=['*'],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=[],
    MIDDLEWARE=[
        # Django's docs: before anything else that answers a 404.
        'django.middleware.common.BrokenLinkEmailsMiddleware',
        'django.middleware.common.CommonMiddleware',
    ],
    EMAIL_BACKEND='django.core.mail.backends.locmem.EmailBackend',
    # As behind API Gateway, an ALB or a Function URL: the front door says which scheme it served.
    SECURE_PROXY_SSL_HEADER=('HTTP_X_FORWARDED_PROTO', 'https'),
    SECRET_KEY='differential-test-only',
    USE_TZ=True,
)
django.setup()

from django.core import mail  # noqa: E402
from django.core.handlers import wsgi  # noqa: E402
from django.http import Http404, HttpResponse  # noqa: E402
from django.test import Client, RequestFactory, override_settings  # noqa: E402
from django.urls import re_path  # noqa: E402

# A Lambda event hands the query over as text. Django's ASGI handler reads it as UTF-8 text too; its
# WSGI handler would read raw UTF-8 bytes of a query as Latin-1 and encode them twice. Read the query
# the ASGI way; the path keeps the WSGI reading, bytes with broken UTF-8 re-percent-encoded.
wsgi_bytes = wsgi.get_bytes_from_wsgi


def get_bytes_from_wsgi(environ, key, default):
    if key == 'QUERY_STRING':
        return environ.get(key, default).encode('utf-8')
    return wsgi_bytes(environ, key, default)


wsgi.get_bytes_from_wsgi = get_bytes_from_wsgi

# What the view does for the case under way; one case runs at a time.
current = {'outcome': 200}


def view(request):
    outcome = current['outcome']
    if outcome == 'throw':
        raise ValueError('differential test failure')
    if outcome == 'raise404':
        raise Http404('no such page')
    return HttpResponse('body', status=outcome)


urlpatterns = [re_path(r'', view)]


def request_meta(case):
    meta = {'HTTP_HOST': case['host'], 'REMOTE_ADDR': case['ip'], 'QUERY_STRING': case['query']}
    if case.get('proto') is not None:
        meta['HTTP_X_FORWARDED_PROTO'] = case['proto']
    if case.get('userAgent') is not None:
        meta['HTTP_USER_AGENT'] = case['userAgent']
    return meta


def resolve_referer(case, meta):
    """A Referer may name the request's own full path: fill it in as Django computes it."""
    referer = case.get('referer')
    if referer is None:
        return None
    # Without the X-Forwarded-Proto header, the request came in over https, as every front door serves.
    secure = case.get('proto') is None
    full_path = RequestFactory().generic(case['method'], case['path'], secure=secure, **meta).get_full_path()
    return (
        referer.replace('{host}', case['host'])
        .replace('{full_path_minus_slash}', full_path[:-1])
        .replace('{full_path}', full_path)
    )


def case_settings(case):
    s = case['settings']
    urls = [re.compile(p) for p in s.get('IGNORABLE_404_URLS', [])]
    # Django 1.4's prescribed translation of the old prefix and suffix lists.
    urls += [re.compile('^' + re.escape(p)) for p in s.get('starts', [])]
    urls += [re.compile(re.escape(p) + '$') for p in s.get('ends', [])]
    out = {
        # Django 3.2 wants (name, address) pairs and uses only the address.
        'ADMINS': [('', a) for a in s['ADMINS']],
        'MANAGERS': [('', a) for a in s['MANAGERS']],
        'DEBUG': s['DEBUG'],
        'INTERNAL_IPS': s['INTERNAL_IPS'],
        'APPEND_SLASH': s['APPEND_SLASH'],
        'IGNORABLE_404_URLS': urls,
        'EMAIL_SUBJECT_PREFIX': s['EMAIL_SUBJECT_PREFIX'],
    }
    if s.get('SERVER_EMAIL') is not None:
        out['SERVER_EMAIL'] = s['SERVER_EMAIL']
    return out


def line_starting(lines, start):
    return next((line for line in lines if line.startswith(start)), None)


def read_mail(message):
    lines = message.body.split('\n')
    # A server-error body starts with the log line; a broken-link body with its Referrer line.
    broken = message.body.startswith('Referrer: ')
    shown = {
        'to': list(message.to),
        'from': message.from_email,
        'subject': message.subject,
    }
    if broken:
        shown['body'] = message.body
    else:
        # The log line, a blank line, then the text report: its title, the value, the request lines.
        shown['firstLine'] = lines[0]
        shown['title'] = lines[2] if len(lines) > 2 else None
        shown['method'] = line_starting(lines, 'Request Method: ')
        shown['url'] = line_starting(lines, 'Request URL: ')
    return shown


def run(case):
    meta = request_meta(case)
    referer = resolve_referer(case, meta)
    if referer is not None:
        meta['HTTP_REFERER'] = referer
    current['outcome'] = case['outcome']
    mail.outbox = []
    with override_settings(**case_settings(case)):
        client = Client(raise_request_exception=False)
        response = client.generic(case['method'], case['path'], secure=case.get('proto') is None, **meta)
    return {
        'id': case['id'],
        'status': response.status_code,
        'referer': referer,
        'mails': [read_mail(m) for m in mail.outbox],
    }


def main():
    cases = json.load(sys.stdin)
    json.dump({'django': django.get_version(), 'results': [run(c) for c in cases]}, sys.stdout)


if __name__ == '__main__':
    main()
