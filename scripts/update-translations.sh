#!/usr/bin/env bash
# Re-extract the messages and merge them into every catalogue (run after changing user-visible text).
#   translations/kesu.pot                       the template, from babel.cfg (every _() in kesu_desktop)
#   translations/<lang>/LC_MESSAGES/kesu.po     zh_CN (the source: ids are the text), zh_TW, en
# New messages arrive untranslated; tests/test_translations.py fails until zh_TW and en have them.
# scripts/bootstrap.sh compiles the .po files to .mo.
set -euo pipefail
cd "$(dirname "$0")/.."
PYBABEL=.venv/bin/pybabel
$PYBABEL extract --mapping-file babel.cfg --keyword _ --no-wrap --sort-by-file \
  --project "Kesu Desk" --copyright-holder "Kesu Desk" --msgid-bugs-address "" \
  --output-file translations/kesu.pot .
for lang in zh_CN zh_TW en; do
  if [ -f "translations/$lang/LC_MESSAGES/kesu.po" ]; then
    $PYBABEL update --domain kesu --input-file translations/kesu.pot --output-dir translations \
      --locale "$lang" --no-wrap --ignore-obsolete --no-fuzzy-matching
  else
    $PYBABEL init --domain kesu --input-file translations/kesu.pot --output-dir translations \
      --locale "$lang" --no-wrap
  fi
done
