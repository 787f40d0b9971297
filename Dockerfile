# syntax=docker/dockerfile:1
# The bot's image: `chuyende run` as an unprivileged user, nothing else (see README, "Chạy nhiều máy").
#   docker build -t chuyende .
#   docker run --env-file .env chuyende            # SQLite in /var/lib/chuyende (mount a volume)
#   docker run --env-file .env chuyende roster import /data/danh-sach.xlsx
#
# Python: the version the project targets (pyproject: requires-python, mypy, ruff). PYTHON_IMAGE may name any Debian
# image with python3 and its venv module (tests/deploy checks the default against pyproject).
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PIP_ROOT_USER_ACTION=ignore
RUN python3 -m venv /opt/chuyende
WORKDIR /src
# Only what the package is built from (.dockerignore keeps tests, .env and databases out).
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY scheduler ./scheduler
COPY storage ./storage
# Every dependency has a wheel for this Python: no compiler in either stage. pip itself is
# not needed at run time.
RUN /opt/chuyende/bin/pip install . && /opt/chuyende/bin/pip uninstall --yes pip

FROM ${PYTHON_IMAGE}
# Fonts: none from the system. The documents (DOCX, XLSX) are drawn by the reader's Word or
# phone, which has the Times New Roman they name; the one picture drawn here, the report chart
# (bot/office/report_chart.py), uses the DejaVu Sans that matplotlib ships inside its wheel, with
# every Vietnamese letter. The check below draws them all and fails the build if one is missing.
RUN groupadd --system --gid 10001 chuyende \
    && useradd --system --uid 10001 --gid chuyende --home-dir /var/lib/chuyende \
        --create-home --shell /usr/sbin/nologin chuyende \
    && chmod 0700 /var/lib/chuyende
COPY --from=build /opt/chuyende /opt/chuyende
# matplotlib keeps its font list in MPLCONFIGDIR, which must be writable by the bot (else it
# makes a temporary one at every start): outside the data volume, made here once.
RUN install -d -o chuyende -g chuyende -m 0700 /opt/chuyende/matplotlib
ENV PATH=/opt/chuyende/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    MPLCONFIGDIR=/opt/chuyende/matplotlib \
    WEB_HOST=0.0.0.0 \
    WEB_PORT=8080
USER 10001:10001
WORKDIR /var/lib/chuyende
# The real chart, with every Vietnamese letter as unit names; a letter its font lacks is a
# warning at run time (a box in the picture) and an error here. tests/deploy checks the list.
RUN python3 -W error::UserWarning -c "\
from bot.domain.digest import Tally; from bot.locales import Catalog; \
from bot.office.report_chart import chart_png; from bot.services.digests import ReportRow; \
units = ['AÀÁẢÃẠ aàáảãạ ĂẰẮẲẴẶ ăằắẳẵặ', 'ÂẦẤẨẪẬ âầấẩẫậ EÈÉẺẼẸ eèéẻẽẹ', \
'ÊỀẾỂỄỆ êềếểễệ IÌÍỈĨỊ iìíỉĩị', 'OÒÓỎÕỌ oòóỏõọ ÔỒỐỔỖỘ ôồốổỗộ', \
'ƠỜỚỞỠỢ ơờớởỡợ UÙÚỦŨỤ uùúủũụ', 'ƯỪỨỬỮỰ ưừứửữự YỲÝỶỸỴ yỳýỷỹỵ Đđ']; \
assert chart_png(Catalog.load(), [ReportRow(u, 1, Tally(required=2, submitted=1)) for u in units])" \
    && chuyende --version
EXPOSE 8080
# Alive: the event loop answers (GET /healthz). Readiness (/readyz) is the proxy's business.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python3", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('WEB_PORT', '8080') + '/healthz', timeout=4)"]
# SIGTERM (docker stop): the bot finishes the update in hand and stops; give it STOP_GRACE and
# more (compose.yaml: stop_grace_period).
STOPSIGNAL SIGTERM
ENTRYPOINT ["chuyende"]
CMD ["run"]
