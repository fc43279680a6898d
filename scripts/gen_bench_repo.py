#!/usr/bin/env python3
"""Generates a large synthetic service repository for the benchmark.

Each service folder gets a Dockerfile (one of several realistic shapes, some with findings),
a compose file, Python modules and a workflow, so every parser prodlint has is exercised.
Deterministic: the same arguments give the same tree.
"""
import argparse
import os
import random

DOCKERFILES = [
    """FROM python:3.11-slim as builder
WORKDIR /app
COPY requirements.txt .
RUN pip install --user --no-cache-dir -r requirements.txt
FROM python:3.11-slim
WORKDIR /app
COPY --from=builder /root/.local /root/.local
ENV PATH=/root/.local/bin:$PATH
COPY . .
RUN useradd -m -u 1000 app && chown -R app:app /app
USER app
CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"]
""",
    """FROM python:latest
RUN apt-get update && apt-get install -y gcc libpq-dev
COPY . /srv
RUN pip install -r /srv/requirements.txt
ENV SECRET_KEY=changeme
CMD uvicorn app.main:app --host 0.0.0.0 --reload
""",
    """# syntax=docker/dockerfile:1
ARG PY=3.12
FROM python:${PY}-slim AS build
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY pyproject.toml uv.lock ./
RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt
FROM python:${PY}-slim
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /app
COPY app/ app/
USER 10001
CMD ["gunicorn", "-k", "uvicorn.workers.UvicornWorker", "-w", "4", "app.main:app"]
""",
    """FROM node:20-alpine AS web
WORKDIR /web
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build
FROM nginx:1.27-alpine
COPY --from=web /web/dist /usr/share/nginx/html
""",
]

PY = '''from fastapi import APIRouter, Depends
from sqlalchemy.ext.asyncio import AsyncSession

router = APIRouter()


@router.get("/items/{item_id}")
async def read_item_%(n)d(item_id: int, db: AsyncSession = Depends(get_db)):
    result = await db.execute(select(Item).where(Item.id == item_id))
    return result.scalar_one_or_none()


def helper_%(n)d(values):
    total = 0
    for v in values:
        if v %% 2:
            total += v * %(n)d
    return total
'''

COMPOSE = """services:
  api:
    build:
      context: .
      dockerfile: Dockerfile
    ports:
      - "8000:8000"
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set it}
"""

WORKFLOW = """name: ci
on: [push, pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - run: pip install -r requirements.txt && pytest
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--modules", type=int, default=8, help="python modules per service")
    args = parser.parse_args()
    rng = random.Random(42)
    os.makedirs(args.out, exist_ok=True)
    open(os.path.join(args.out, "prodlint.toml"), "w").write("# benchmark root\n")
    wf = os.path.join(args.out, ".github", "workflows")
    os.makedirs(wf, exist_ok=True)
    for s in range(args.services):
        svc = os.path.join(args.out, "services", f"svc{s:05d}")
        os.makedirs(os.path.join(svc, "app"), exist_ok=True)
        open(os.path.join(svc, "Dockerfile"), "w").write(rng.choice(DOCKERFILES))
        if s % 3 == 0:
            open(os.path.join(svc, ".dockerignore"), "w").write(".git\n.env\n")
        open(os.path.join(svc, "compose.yaml"), "w").write(COMPOSE)
        for m in range(args.modules):
            open(os.path.join(svc, "app", f"mod{m}.py"), "w").write(PY % {"n": s * 100 + m} * 4)
        if s % 50 == 0:
            open(os.path.join(wf, f"ci{s}.yml"), "w").write(WORKFLOW)


if __name__ == "__main__":
    main()
