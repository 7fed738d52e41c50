# briefbot: the Telegram bot and its curated corpus in one image; state lives in /app/data (a volume).
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# A fixed uid so a bind-mounted data folder can be chowned to match on the host.
RUN useradd --create-home --uid 10001 --user-group briefbot

WORKDIR /app
COPY pyproject.toml README.md constraints.txt ./
COPY bot/ bot/
COPY briefs/ briefs/
COPY seeds/ seeds/

# Installed exactly as in the README set-up, at the versions CI tested (constraints.txt, `make lock`).
RUN pip install -c constraints.txt .

# The data folder must exist and belong to the bot user before the volume is mounted:
# a new named volume copies this ownership, so the non-root bot can write its SQLite file.
RUN mkdir -p /app/data && chown briefbot:briefbot /app/data

# The corpus ships inside the image (the installed package lives in site-packages, not here).
ENV BRIEFBOT_DB=/app/data/briefbot.sqlite3 \
    BRIEFBOT_BRIEFS=/app/briefs \
    BRIEFBOT_SEEDS=/app/seeds \
    BRIEFBOT_CACHE_DIR=/app/cache

# Every entry embedded when the image is built, so the container starts warm (under a second)
# instead of embedding the corpus on its first start (about 25 s on two cores).
# The cache belongs to the bot user, so entries a curator adds (bind-mounted briefs/, see compose) are kept too.
RUN briefbot index && mkdir -p /app/cache && chown -R briefbot:briefbot /app/cache

USER briefbot

# Healthy = the corpus loads and validates, the database opens, and the bot had a successful Bot API
# round trip within BRIEFBOT_HEALTH_MAX_SILENCE (180 s by default).
HEALTHCHECK --interval=60s --timeout=20s --start-period=30s --retries=3 CMD ["briefbot", "health", "--bot"]

ENTRYPOINT ["briefbot"]
CMD ["run"]
