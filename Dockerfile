# syntax=docker/dockerfile:1
FROM python:3.11-slim AS build
WORKDIR /app
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
COPY requirements/runtime.txt requirements/runtime.txt
RUN pip install -r requirements/runtime.txt
COPY pyproject.toml README.md ./
COPY src src
RUN pip install --no-deps .

FROM python:3.11-slim AS runtime
RUN useradd --create-home --uid 10001 badgeservice
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY migrations migrations
ENV PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1 \
    BADGESERVICE_MIGRATIONS_DIR=/app/migrations WEB_CONCURRENCY=4
USER badgeservice
EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["sh", "-c", "badgeservice db upgrade && exec badgeservice serve --host 0.0.0.0 --port 8000 --workers ${WEB_CONCURRENCY}"]
