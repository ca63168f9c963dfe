# syntax=docker/dockerfile:1
# Production image for the mttr worker and CLI: `mttr worker` (default), `mttr migrate`, ...
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Non-root runtime user with a fixed uid/gid (predictable volume ownership, runAsNonRoot).
RUN groupadd --system --gid 10001 mttr \
 && useradd --system --uid 10001 --gid mttr --create-home --home-dir /home/mttr \
        --shell /usr/sbin/nologin mttr

# Install the package (no dev extras) from a throw-away copy of the sources, so the
# installed package in site-packages is the only copy of the code in the image.
WORKDIR /tmp/src
COPY pyproject.toml README.md ./
COPY streams/ ./streams/
COPY schemas/ ./schemas/
RUN pip install --no-cache-dir . \
 && cd / && rm -rf /tmp/src

# For a regular (non-editable) install the project root is the working directory,
# so `mttr migrate` finds the DDL in /app/sql.
WORKDIR /app
COPY sql/ ./sql/

# Local state (worker tables, ...); mount a volume here to keep it across restarts.
RUN mkdir -p /var/lib/mttr && chown mttr:mttr /var/lib/mttr
ENV MTTR_VAR_DIR=/var/lib/mttr

USER 10001:10001
EXPOSE 6066
ENTRYPOINT ["mttr"]
CMD ["worker"]
