"""This repository's own test harness (not shipped to users): the production-shaped deployment
(``deploy``: Postgres, Redis, Celery workers) and the headless-browser fixtures (``browser``:
Playwright). The fixtures users get live in ``asset2airflow.testing.plugin``."""
