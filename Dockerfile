# Linernotes web image; the same image runs the Django-Q2 cluster (see docker-compose.yml).
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production

WORKDIR /app
RUN useradd --create-home --uid 10001 linernotes

COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY --chown=linernotes:linernotes . .

# collectstatic needs settings to load, not real secrets: throwaway values for the build only.
RUN SECRET_KEY=build-only DEBUG=false \
    FIELD_ENCRYPTION_KEYS=YnVpbGQtb25seS1rZXktbm90LXVzZWQtYXQtcnVuLTA= \
    python manage.py collectstatic --noinput \
 && mkdir -p /app/var && chown -R linernotes:linernotes /app/var

USER linernotes
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --retries=3 \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
