#!/usr/bin/env bash
# Scheduled refresh, the git-scraping way: fetch the page, rebuild out/, and commit any new
# snapshot in raw/ with the change summary (out/changes.md) as the commit message.
#
#   scripts/git-scrape.sh                     # what .github/workflows/refresh.yml runs daily
#   REFRESH_ARGS="--url URL" scripts/git-scrape.sh
#
# cron on a server holding a clone (daily at 06:17; the log keeps one line a run):
#   17 6 * * *  cd /srv/naist-partners && scripts/git-scrape.sh >> refresh.log 2>&1
#
# out/ is not committed (it is rebuilt from raw/); raw/ only ever gains files.
set -euo pipefail
cd "$(dirname "$0")/.."

# A fresh checkout has no out/: build the last snapshot first so that the change summary
# compares with it (a no-op when out/ is current; nothing to build when raw/ is empty).
make build >/dev/null 2>&1 || true
make refresh ARGS="--require-live ${REFRESH_ARGS:-}"

git add raw/
if git diff --cached --quiet; then
  echo "git-scrape: no new snapshot, nothing to commit"
  exit 0
fi

summary=""
if [ -f out/changes.md ]; then
  summary=$(grep -m1 -o '^\*\*.*\*\*$' out/changes.md | tr -d '*' || true)
fi
subject="Partners page: ${summary:-new snapshot, no partner changed}"
git -c user.name="${GIT_AUTHOR_NAME:-naist-partners refresh}" \
    -c user.email="${GIT_AUTHOR_EMAIL:-refresh@naist-partners.invalid}" \
    commit --quiet -m "$subject" -m "$(cat out/changes.md 2>/dev/null || true)"
echo "git-scrape: committed $(git rev-parse --short HEAD): $subject"
